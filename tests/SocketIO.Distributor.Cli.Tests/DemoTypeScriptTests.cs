using System.Text.RegularExpressions;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// The TypeScript declarations that <c>dotnet build</c> generates from the demo's C# contracts
/// (<c>samples/Demo/wwwroot/contracts.d.ts</c>), checked by <c>tsc --noEmit</c> (tests/clients/typed):
/// the demo page and a small TS client type-check; a client that misuses the types does not.
/// </summary>
public sealed partial class DemoTypeScriptTests
{
    private static readonly TimeSpan TscTimeout = TimeSpan.FromMinutes(2);

    private static string Declarations => Path.Combine(RepositoryLayout.Root, "samples", "Demo", "wwwroot", "contracts.d.ts");

    [Fact]
    public async Task The_demo_page_and_a_TypeScript_client_type_check_against_the_generated_declarations()
    {
        var text = await File.ReadAllTextAsync(Declarations);
        Assert.Contains("export declare namespace Chat {", text, StringComparison.Ordinal);
        Assert.Contains("postMessage: (request: PostMessageRequest, callback: Reply<string>) => void;", text, StringComparison.Ordinal);
        Assert.Contains("channel: \"en\" | \"ru\";", text, StringComparison.Ordinal);

        var result = await NodeClients.RunScriptAsync("node_modules/typescript/bin/tsc", ["-p", "typed/tsconfig.json"], TscTimeout);

        Assert.True(result.ExitCode == 0, $"tsc failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
    }

    [Fact]
    public async Task A_client_that_misuses_the_generated_types_fails_to_type_check_on_each_misuse()
    {
        var misuse = Path.Combine(RepositoryLayout.ClientsDirectory, "typed", "chat-misuse.ts");
        var expected = (await File.ReadAllLinesAsync(misuse))
            .Select((line, index) => (line, number: index + 1))
            .Where(l => l.line.Contains("EXPECT-ERROR", StringComparison.Ordinal))
            .Select(l => l.number)
            .ToList();

        var result = await NodeClients.RunScriptAsync("node_modules/typescript/bin/tsc", ["-p", "typed/tsconfig.misuse.json"], TscTimeout);

        Assert.NotEqual(0, result.ExitCode);
        var failed = ErrorLine().Matches(result.Stdout).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        Assert.True(expected.Count >= 5, "the misuse file lost its cases");
        Assert.Equal(expected, failed);
    }

    [GeneratedRegex(@"chat-misuse\.ts\((\d+),\d+\): error TS\d+")]
    private static partial Regex ErrorLine();
}
