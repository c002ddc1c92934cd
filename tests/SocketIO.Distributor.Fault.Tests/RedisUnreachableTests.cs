using System.Globalization;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Fault.Tests.Harness;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>
/// Processes started while Redis is unreachable: each prints a clear line naming Redis, and no
/// unhandled exception or stack trace. One that keeps running must join once Redis is there, and stop
/// cleanly when Redis is gone again.
/// </summary>
public sealed partial class RedisUnreachableTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public Task Distributor_started_with_Redis_unreachable_says_so_clearly_without_a_stack_trace() =>
        StartWithoutRedisAsync("distributor", (port, prefix) =>
        [
            Path.Combine(AppContext.BaseDirectory, "siod.dll"), "distributor", "--redis", $"127.0.0.1:{port}", "--prefix", prefix,
            "--namespaces", FaultCluster.Namespace, "--urls", "http://127.0.0.1:0", "--heartbeat", "500",
        ]);

    [Fact]
    public Task Backend_started_with_Redis_unreachable_says_so_clearly_without_a_stack_trace() =>
        StartWithoutRedisAsync("backend", (port, prefix) =>
        [
            Path.Combine(AppContext.BaseDirectory, "SocketIO.Distributor.BenchServer.dll"), "backend", "--redis", $"127.0.0.1:{port}",
            "--prefix", prefix, "--urls", "http://127.0.0.1:0", "--heartbeat", "500",
        ]);

    private async Task StartWithoutRedisAsync(string kind, Func<int, string, string[]> arguments)
    {
        var port = TestRedis.FreePort(); // nothing listens there
        var prefix = TestRedis.NewPrefix("unreachable");
        await using var process = FaultProcess.Start(kind, "dotnet", arguments(port, prefix), FaultCluster.ProcessEnvironment(), output);
        var clear = await process.WaitForLineAsync(RedisLine(), "a line about the unreachable Redis", LineTimeout);
        // Either it gives up (exits) or it keeps running and retries: wait up to 10 s to know which.
        try
        {
            await process.WaitForExitAsync(ExitTimeout);
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Still running after 10 s: it waits for Redis.
        }

        output.WriteLine($"RESULT redis-unreachable {kind}: printed \"{clear.Text[..Math.Min(clear.Text.Length, 240)]}\"; {(process.HasExited ? $"exited with code {process.ExitCode}" : "still running")}");
        if (!process.HasExited)
        {
            // It waits for Redis: it must join once Redis is there, then stop cleanly with Redis gone again.
            await using var redis = await FaultRedis.StartOnAsync(port, output);
            await Poll.UntilAsync(async () => (await StatusAsync(redis, prefix)).Members.Count == 1, $"the {kind} registered once Redis came up", TimeSpan.FromSeconds(15));
            await redis.KillAsync();
            var exitCode = await process.TerminateAsync(TimeSpan.FromSeconds(15));
            output.WriteLine($"RESULT redis-unreachable {kind}: joined when Redis came up; stopped with Redis down: exit code {exitCode}");
        }
        else
        {
            Assert.NotEqual(0, process.ExitCode);
        }

        var crashes = process.Lines.Where(l => Crash().IsMatch(l.Text)).Select(l => l.Text).ToList();
        Assert.True(crashes.Count == 0, $"The {kind} printed an unhandled exception or a stack trace ({crashes.Count} line(s)), where one clear line was expected:{process.Tail(60)}");
    }

    private static async Task<ClusterStatus> StatusAsync(FaultRedis redis, string prefix)
    {
        using var outputText = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await Cli.SiodCommand.RunAsync(["status", "--redis", redis.ConnectionString, "--prefix", prefix, "--json"], outputText, error);
        return exitCode == 0
            ? new ClusterStatus(System.Text.Json.JsonSerializer.Deserialize(outputText.ToString(), Cli.Commands.MemberListJsonContext.Default.ListMemberInfo) ?? [])
            : new ClusterStatus([]);
    }

    [GeneratedRegex(@"(?i)redis")]
    private static partial Regex RedisLine();

    [GeneratedRegex(@"Unhandled exception|^\s+at \S+|--- End of")]
    private static partial Regex Crash();
}
