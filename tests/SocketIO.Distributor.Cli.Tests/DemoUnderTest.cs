using System.Diagnostics;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// The <c>siod demo</c> deployment (three backends, two distributors on free loopback ports) on the
/// test RESP server under its own channel prefix, and what <c>siod status</c> says about it.
/// </summary>
internal sealed class DemoUnderTest : IAsyncDisposable
{
    /// <summary>Heartbeats refresh the registry every 2 s: counts settle within a few beats.</summary>
    public static readonly TimeSpan StatusSettleTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static readonly string[] Namespaces = ["/chat", "/gameA", "/gameB"];

    private readonly DemoDeployment _deployment;

    private DemoUnderTest(DemoDeployment deployment, string prefix)
    {
        _deployment = deployment;
        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>The two distributors' base addresses (ending in '/').</summary>
    public IReadOnlyList<string> Urls => _deployment.Urls;

    public static async Task<DemoUnderTest> StartAsync(string test)
    {
        var prefix = TestRedis.NewPrefix(test);
        var deployment = await DemoDeployment.StartAsync(new DemoSettings(TestRedis.ConnectionString, [0, 0], "127.0.0.1", prefix));
        return new DemoUnderTest(deployment, prefix);
    }

    /// <summary>Polls <c>siod status --json</c> until <paramref name="settled"/> holds; returns that status.</summary>
    public async Task<List<MemberInfo>> StatusWhenAsync(Func<List<MemberInfo>, bool> settled, string because)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var status = await Siod.StatusAsync(Prefix);
            if (settled(status))
            {
                return status;
            }

            if (Stopwatch.GetElapsedTime(started) > StatusSettleTimeout)
            {
                throw new Xunit.Sdk.XunitException($"Timed out after {StatusSettleTimeout} waiting until {because}. siod status said: {Describe(status)}");
            }

            await Task.Delay(PollInterval);
        }
    }

    public static string Describe(IEnumerable<MemberInfo> members) =>
        string.Join("; ", members.Select(m =>
            $"{m.Kind} {m.Id} [{string.Join(",", m.Namespaces)}] sockets {string.Join(" ", m.Sockets.Select(kv => $"{kv.Key}={kv.Value}"))} connections {m.Connections}"));

    /// <summary>The chat, tic-tac-toe and dice backends.</summary>
    public IReadOnlyList<global::SocketIO.Distributor.Backend.SocketIOBackend> Backends => _deployment.Backends;

    public ValueTask DisposeAsync() => _deployment.DisposeAsync();
}
