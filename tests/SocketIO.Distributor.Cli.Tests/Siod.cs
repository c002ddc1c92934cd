using System.Text.Json;
using SocketIO.Distributor.Cli.Commands;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>What one run of <c>siod</c> did.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Standard output.</param>
/// <param name="Stderr">Standard error.</param>
internal sealed record SiodRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The standard error lines.</summary>
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit code {ExitCode}\nstdout: {Stdout.TrimEnd()}\nstderr: {Stderr.TrimEnd()}";
}

/// <summary>Runs the <c>siod</c> command in-process, as <c>Program.cs</c> does, capturing its output.</summary>
internal static class Siod
{
    public static async Task<SiodRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SiodCommand.RunAsync(args, output, error);
        return new SiodRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary><c>siod status --json</c> for a deployment under <paramref name="prefix"/> on the test RESP server.</summary>
    public static async Task<List<MemberInfo>> StatusAsync(string prefix)
    {
        var run = await RunAsync("status", "--redis", TestRedis.ConnectionString, "--prefix", prefix, "--json");
        Assert.True(run.ExitCode == 0, $"siod status --json failed: {run}");
        return JsonSerializer.Deserialize(run.Stdout, MemberListJsonContext.Default.ListMemberInfo)
            ?? throw new Xunit.Sdk.XunitException($"siod status --json printed null: {run}");
    }

    /// <summary><c>siod emit</c> on the test RESP server under <paramref name="prefix"/>.</summary>
    public static Task<SiodRun> EmitAsync(string prefix, params string[] args) =>
        RunAsync(["emit", "--redis", TestRedis.ConnectionString, "--prefix", prefix, .. args]);
}
