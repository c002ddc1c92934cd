using System.Text.RegularExpressions;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// The periodic stats line reports its own distributor's figures: two distributors in one process
/// (as in the demo) do not share counters.
/// </summary>
public sealed partial class StatsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_distributors_in_one_process_each_report_their_own_traffic()
    {
        await using var cluster = TestCluster.Create("stats");
        await cluster.StartBackendAsync(backend =>
            backend.Of("/chat").OnConnection(socket => socket.On("say", e => socket.Emit("said", e.Arguments))));
        var busyLogs = new LogCapture();
        var idleLogs = new LogCapture();
        await using var busy = await LoggedDistributor.StartAsync(cluster, ["/chat"], busyLogs, o => o.StatsInterval = TimeSpan.FromMilliseconds(100));
        await using var idle = await LoggedDistributor.StartAsync(cluster, ["/chat"], idleLogs, o => o.StatsInterval = TimeSpan.FromMilliseconds(100));
        await using var clients = await NodeClientDriver.StartAsync("v4", output);

        await clients.ConnectAsync("a", busy.Url, "/chat");
        for (var i = 0; i < 3; i++)
        {
            await clients.EmitAsync("a", "say", i);
            await clients.WaitForEventAsync("a", "said");
        }

        // open + CONNECT answer + 3 events at least (pings may add more); the idle one wrote nothing.
        await Eventually.TrueAsync(() => LastStats(busyLogs) is { Connections: 1, PacketsIn: 3, FramesOut: >= 5 }, $"the busy distributor reports its traffic:\n{busyLogs.Dump()}");
        await Eventually.TrueAsync(() => LastStats(idleLogs) is { Connections: 0, PacketsIn: 0, FramesOut: 0 }, $"the idle distributor reports none:\n{idleLogs.Dump()}");
        Assert.Equal(3, busy.Distributor.Statistics.PacketsRelayedToBackends);
        Assert.Equal(0, idle.Distributor.Server.Engine.Metrics.FramesSent);
    }

    private static (int Connections, long PacketsIn, long FramesOut)? LastStats(LogCapture logs)
    {
        var line = logs.Entries.LastOrDefault(e => e.EventId == 5006).Message;
        if (line is null)
        {
            return null;
        }

        var match = StatsLine().Match(line);
        Assert.True(match.Success, $"unexpected stats line: {line}");
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@": (\d+) connections; .*; (\d+) packets relayed to backends, (\d+) frames out;")]
    private static partial Regex StatsLine();
}
