using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using static SocketIO.Distributor.EndToEnd.Tests.Cluster.RawWebSocket;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Relay;

/// <summary>
/// No sticky sessions, on the wire: a session opened on distributor A is used through distributor B
/// (polls, posts, binary, the upgrade), with raw Engine.IO requests, as a round-robin balancer would send them.
/// </summary>
public sealed class SessionRelayTests
{
    private const char Separator = '\u001e';

    [Fact]
    public async Task An_EIO4_session_opened_on_A_connects_emits_and_receives_text_and_binary_through_B()
    {
        await using var cluster = await RelayCluster.StartAsync("relay-eio4");
        var (a, b) = (cluster.A, cluster.B);
        var sid = await cluster.HandshakeAsync(a, 4);
        Assert.StartsWith(a.Distributor.Id + ".", sid, StringComparison.Ordinal);

        await cluster.PostAsync(b, 4, sid, "40/chat,");
        await cluster.PollUntilAsync(b, 4, sid, "40/chat,{\"sid\":\"");
        await cluster.PostAsync(b, 4, sid, "42/chat,[\"echo\"]" + Separator + "42/chat,[\"bin\"]");
        var (_, contentType, all) = await cluster.PollUntilAsync(b, 4, sid, "bAQID");
        Assert.Contains("42/chat,[\"echo\",\"hi\"]", all, StringComparison.Ordinal);
        Assert.Contains("451-/chat,[\"bin\",{\"_placeholder\":true,\"num\":0}]", all, StringComparison.Ordinal);
        Assert.StartsWith("text/plain", contentType, StringComparison.Ordinal);

        // The same session, locally on A, still works: the relay served it with A's own polling code.
        await cluster.PostAsync(a, 4, sid, "42/chat,[\"echo\"]");
        await cluster.PollUntilAsync(a, 4, sid, "42/chat,[\"echo\",\"hi\"]");

        Assert.True(b.Distributor.Statistics.RelayedRequestsOut >= 4, $"B relayed {b.Distributor.Statistics.RelayedRequestsOut} requests");
        Assert.Equal(b.Distributor.Statistics.RelayedRequestsOut, a.Distributor.Statistics.RelayedRequestsIn);
        Assert.Equal(0, a.Distributor.Statistics.RelayedRequestsOut);
        Assert.Equal(0, b.Distributor.Statistics.RelayTimedOut + b.Distributor.Statistics.RelayRefused + b.Distributor.Statistics.RelayOwnerLost);
    }

    [Fact]
    public async Task An_EIO3_session_opened_on_A_gets_binary_through_B_as_octet_stream_and_as_b64()
    {
        await using var cluster = await RelayCluster.StartAsync("relay-eio3");
        var (a, b) = (cluster.A, cluster.B);
        var sid = await cluster.HandshakeAsync(a, 3);
        await cluster.PostAsync(b, 3, sid, V3("40/chat,"));
        await cluster.PollUntilAsync(b, 3, sid, "40/chat");

        await cluster.PostAsync(b, 3, sid, V3("42/chat,[\"bin\"]"));
        var (body, contentType, _) = await cluster.PollUntilAsync(b, 3, sid, "\u0004\u0001\u0002\u0003");
        Assert.Equal("application/octet-stream", contentType);
        Assert.Equal<byte>([4, 1, 2, 3], body[^4..]);

        await cluster.PostAsync(b, 3, sid, V3("42/chat,[\"bin\"]"));
        var (_, b64Type, b64) = await cluster.PollUntilAsync(b, 3, sid, "b4AQID", "&b64=1");
        Assert.StartsWith("text/plain", b64Type, StringComparison.Ordinal);
        Assert.Contains("451-/chat,[\"bin\",{\"_placeholder\":true,\"num\":0}]", b64, StringComparison.Ordinal);
        Assert.True(b.Distributor.Statistics.RelayedRequestsOut >= 6, $"B relayed {b.Distributor.Statistics.RelayedRequestsOut} requests");
    }

    [Fact]
    public async Task A_session_opened_on_A_upgrades_to_a_WebSocket_on_B_and_its_close_reaches_A()
    {
        await using var cluster = await RelayCluster.StartAsync("relay-upgrade");
        var (a, b) = (cluster.A, cluster.B);
        var sid = await cluster.HandshakeAsync(a, 4);
        await cluster.PostAsync(a, 4, sid, "40/chat,");
        await cluster.PollUntilAsync(a, 4, sid, "40/chat,{\"sid\":\"");

        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"{b.Url.Replace("http://", "ws://", StringComparison.Ordinal)}/socket.io/?EIO=4&transport=websocket&sid={Uri.EscapeDataString(sid)}"), CancellationToken.None);
        await SendAsync(ws, "2probe");
        Assert.Equal("3probe", (await ReceiveAsync(ws)).Text);

        // The pending poll is released with a noop, through either distributor.
        var noop = await cluster.PollUntilAsync(b, 4, sid, "6");
        Assert.Equal("6", noop.AllText);
        await SendAsync(ws, "5");

        await SendAsync(ws, "42/chat,[\"echo\"]");
        Assert.Equal("42/chat,[\"echo\",\"hi\"]", (await ReceiveTextAsync(ws)).Text);
        await SendAsync(ws, "42/chat,[\"bin\"]");
        Assert.Equal("451-/chat,[\"bin\",{\"_placeholder\":true,\"num\":0}]", (await ReceiveTextAsync(ws)).Text);
        var attachment = await ReceiveAsync(ws);
        Assert.Equal(WebSocketMessageType.Binary, attachment.Type);
        Assert.Equal<byte>([1, 2, 3], attachment.Bytes);

        Assert.Equal(1, b.Distributor.Statistics.TunnelsOut);
        Assert.Equal(1, a.Distributor.Statistics.TunnelsIn);

        // The client's close reaches the session on A (it closes) and A's close comes back to the client.
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, ws.State);
        await Testing.Eventually.TrueAsync(() => a.Distributor.Server.Engine.SessionCount == 0, "the session on A closed with its tunnelled WebSocket");
    }

    [Fact]
    public async Task A_sid_naming_an_unknown_or_stopped_distributor_is_400_Session_ID_unknown_at_once()
    {
        await using var cluster = await RelayCluster.StartAsync("relay-unknown");
        var (a, b) = (cluster.A, cluster.B);

        var started = Stopwatch.GetTimestamp();
        using (var unknown = await cluster.GetAsync(b, 4, "nosuchdistributor.AAAAAAAAAAAAAAAAAAAAAA"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Equal("{\"code\":1,\"message\":\"Session ID unknown\"}", await unknown.Content.ReadAsStringAsync());
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), $"answered after {elapsed.TotalMilliseconds:0} ms");

        var sid = await cluster.HandshakeAsync(a, 4);
        await a.DisposeAsync();
        await Testing.Eventually.TrueAsync(() => b.Distributor.Members.All(m => m.Id != a.Distributor.Id), "B saw A leave");
        started = Stopwatch.GetTimestamp();
        using (var stopped = await cluster.GetAsync(b, 4, sid))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stopped.StatusCode);
            Assert.Equal("{\"code\":1,\"message\":\"Session ID unknown\"}", await stopped.Content.ReadAsStringAsync());
        }

        elapsed = Stopwatch.GetElapsedTime(started);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), $"answered after {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, b.Distributor.Statistics.RelayedRequestsOut);
    }

    [Fact]
    public async Task A_client_that_abandons_its_relayed_long_poll_ends_the_session_at_the_holder_as_locally()
    {
        await using var cluster = await RelayCluster.StartAsync("relay-abandon");
        var (a, b) = (cluster.A, cluster.B);
        var sid = await cluster.HandshakeAsync(a, 4);
        using var cancel = new CancellationTokenSource();
        var poll = cluster.GetAsync(b, 4, sid, cancel: cancel.Token);
        await Testing.Eventually.TrueAsync(() => a.Distributor.Statistics.RelayedRequestsIn == 1, "the long poll reached A");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
        await Testing.Eventually.TrueAsync(() => a.Distributor.Server.Engine.SessionCount == 0, "the session on A closed when its client left");
    }

    [Fact]
    public async Task Relayed_requests_beyond_MaxRelayedRequests_are_refused_with_503_and_counted()
    {
        await using var cluster = await RelayCluster.StartAsync("relay-cap", o => o.MaxRelayedRequests = 1);
        var (a, b) = (cluster.A, cluster.B);
        var first = await cluster.HandshakeAsync(a, 4);
        var second = await cluster.HandshakeAsync(a, 4);
        var held = cluster.GetAsync(b, 4, first);
        await Testing.Eventually.TrueAsync(() => a.Distributor.Statistics.RelayedRequestsIn == 1, "the first long poll is held at A");
        using (var refused = await cluster.GetAsync(b, 4, second))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        Assert.Equal(1, b.Distributor.Statistics.RelayRefused);

        // The held poll is answered normally (the session's frames, or a ping at the latest).
        await cluster.PostAsync(a, 4, first, "40/chat,");
        using var answered = await held;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    private static string V3(string packet) => $"{packet.Length}:{packet}";
}
