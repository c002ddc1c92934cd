using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using SocketIO.Distributor.Fault.Tests.Harness;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests;

/// <summary>
/// No sticky sessions under a fault: the distributor holding a session is killed with -9 while a long
/// poll of that session waits there, relayed by the other distributor. The client must get an answer
/// promptly (the relayed request ends once the holder's relay channel has no listener), not hang until
/// a timeout.
/// </summary>
public sealed class RelayHolderKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Holder_kill_9_mid_relayed_long_poll_is_answered_400_Session_ID_unknown_within_two_seconds()
    {
        await using var cluster = await FaultCluster.StartAsync(output, distributors: 2, backends: 1);
        var (holder, relay) = (cluster.Urls[0], cluster.Urls[1]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var open = await http.GetStringAsync(new Uri($"{holder}/socket.io/?EIO=4&transport=polling"));
        using var json = JsonDocument.Parse(open[open.IndexOf('{', StringComparison.Ordinal)..]);
        var sid = json.RootElement.GetProperty("sid").GetString()!;
        var url = $"{relay}/socket.io/?EIO=4&transport=polling&sid={Uri.EscapeDataString(sid)}";

        // The long poll (the ping interval is 25 s: it waits at the holder), then a POST through the same
        // distributor: relayed on the same channel after the GET, so once it is answered the GET waits at the holder.
        var poll = http.GetAsync(new Uri(url));
        using (var posted = await http.PostAsync(new Uri(url), new StringContent("6", Encoding.UTF8, "text/plain")))
        {
            Assert.Equal("ok", await posted.Content.ReadAsStringAsync());
        }

        Assert.False(poll.IsCompleted, "the long poll is still held");
        await cluster.Distributors[0].KillAsync();
        var killed = Stopwatch.GetTimestamp();
        using var answer = await poll;
        var afterKill = Stopwatch.GetElapsedTime(killed);
        var body = await answer.Content.ReadAsStringAsync();

        // A new request for the dead holder's session: 400 at once.
        var again = Stopwatch.GetTimestamp();
        using var next = await http.GetAsync(new Uri(url));
        var nextElapsed = Stopwatch.GetElapsedTime(again);
        output.WriteLine($"RESULT relay holder kill: the held relayed poll was answered {(int)answer.StatusCode} {body} {afterKill.TotalMilliseconds:0} ms after kill -9 (probe every 250 ms, two silent probes); the next request {(int)next.StatusCode} after {nextElapsed.TotalMilliseconds:0} ms");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("{\"code\":1,\"message\":\"Session ID unknown\"}", body);
        // Two silent probes 250 ms apart: ~0.3-0.7 s measured; the bound leaves room for a loaded 2-core machine (the timeout would be 50 s).
        Assert.True(afterKill < TimeSpan.FromSeconds(2), $"answered {afterKill.TotalMilliseconds:0} ms after the kill");
        Assert.Equal(HttpStatusCode.BadRequest, next.StatusCode);
        Assert.True(nextElapsed < TimeSpan.FromMilliseconds(500), $"the next request was answered after {nextElapsed.TotalMilliseconds:0} ms");
        Assert.Empty(cluster.Crashes());
    }
}
