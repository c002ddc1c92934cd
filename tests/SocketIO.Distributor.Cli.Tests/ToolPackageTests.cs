using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// The README's install path works: <c>dotnet pack</c> of the command, <c>dotnet tool install</c> of the
/// package into a temporary tool path, and the installed <c>siod --help</c>.
/// </summary>
public sealed class ToolPackageTests(ITestOutputHelper output)
{
    /// <summary>Packing reuses the build the tests already have; install restores one local package.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_packed_tool_installs_and_prints_its_usage()
    {
        var temp = Directory.CreateTempSubdirectory("siod-tool-");
        try
        {
            var packages = Path.Combine(temp.FullName, "nupkg");
            var tools = Path.Combine(temp.FullName, "tools");
            var project = Path.Combine(RepositoryLayout.Root, "src", "SocketIO.Distributor.Cli", "SocketIO.Distributor.Cli.csproj");

            // --no-build: the command was built with the tests (same configuration); packing must not rebuild it under other test runs.
            await RunAsync("dotnet", ["pack", project, "-c", Configuration, "--no-build", "-o", packages, "--nologo"]);
            var package = Assert.Single(Directory.GetFiles(packages, "SocketIO.Distributor.Cli.*.nupkg"));
            var version = Path.GetFileNameWithoutExtension(package)["SocketIO.Distributor.Cli.".Length..];

            await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages, "--ignore-failed-sources", "--version", version, "SocketIO.Distributor.Cli"]);
            var siod = Path.Combine(tools, OperatingSystem.IsWindows() ? "siod.exe" : "siod");
            var help = await RunAsync(siod, ["--help"]);

            Assert.Contains("Usage:", help.Stdout, StringComparison.Ordinal);
            foreach (var command in new[] { "demo", "distributor", "redis", "status", "emit" })
            {
                Assert.Matches($@"(?m)^\s+{command}\s", help.Stdout);
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private async Task<ChildProcessResult> RunAsync(string program, string[] arguments)
    {
        var result = await ChildProcess.RunAsync(program, arguments, RepositoryLayout.Root, StepTimeout, $"'{program}' is not installed.");
        output.WriteLine($"$ {program} {string.Join(' ', arguments)}\n{result.Stdout}{result.Stderr}");
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: exit code {result.ExitCode?.ToString() ?? "(timed out)"}\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}
