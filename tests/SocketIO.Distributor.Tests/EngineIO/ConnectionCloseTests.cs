using System.Diagnostics;
using System.Net.Sockets;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Tests.Wire;

namespace SocketIO.Distributor.Tests.EngineIO;

/// <summary>
/// A session closed for a fault really ends its TCP connection: a client that stops reading is cut
/// after <c>MaxWriteStall</c>, one that misses its pongs after the ping timeout (plus the close
/// grace), and an empty WebSocket message closes the connection as with engine.io.
/// </summary>
public sealed class ConnectionCloseTests
{
    /// <summary>Time for scheduling and the close grace on a busy 2-core machine, on top of each limit.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_client_that_stops_reading_has_its_connection_reset_after_MaxWriteStall()
    {
        var stall = TimeSpan.FromSeconds(1);
        await using var server = await WireServer.StartLocalEngineIOAsync(o =>
        {
            o.MaxWriteStall = stall;

            // Only the time limit may cut this client: no queue limit, no heartbeat.
            o.MaxQueuedBytes = 1L << 30;
            o.MaxQueuedPackets = 1 << 20;
            o.PingInterval = TimeSpan.FromMinutes(5);
            o.PingTimeout = TimeSpan.FromMinutes(5);
        });
        using var client = await RawWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"));

        // 16 MB echoed back to a client that reads nothing: more than the kernel buffers on both sides hold.
        // On a busy machine sending it can outlast the stall limit, so the reset may already cut a send.
        var message = "4" + new string('x', 64 * 1024);
        for (var i = 0; i < 256 && !client.WasReset; i++)
        {
            try
            {
                await client.SendTextAsync(message);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
            {
                break; // the server's reset, which WasReset now reports
            }
        }

        var sent = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => client.WasReset, "the server resets the stalled client's connection", stall + Slack);
        Assert.True(sent.Elapsed < stall + Slack, $"reset after {sent.Elapsed}");
        Assert.True(await client.EndsWithinAsync(Slack), "the connection still delivers data after the reset");
    }

    [Fact]
    public async Task A_client_that_misses_its_pong_has_its_connection_ended_after_the_ping_timeout()
    {
        await using var server = await WireServer.StartLocalEngineIOAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(300);
            o.PingTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var client = await RawWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"));
        var opened = Stopwatch.StartNew();

        // The client neither answers the ping nor the server's close frame: the server must not wait for it forever.
        await Eventually.TrueAsync(() => client.WasReset, "the server resets the connection of a client that missed its pong", TimeSpan.FromMilliseconds(500) + Slack);
        Assert.True(opened.Elapsed < TimeSpan.FromMilliseconds(500) + Slack, $"reset after {opened.Elapsed}");
    }

    [Fact]
    public async Task An_empty_websocket_message_closes_the_connection()
    {
        await using var server = await WireServer.StartLocalEngineIOAsync(o => o.PingInterval = TimeSpan.FromMinutes(5));
        await using var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"));
        Assert.StartsWith("0{", await socket.ReceiveTextAsync(), StringComparison.Ordinal);

        await socket.SendTextAsync(string.Empty);

        await socket.WaitForCloseAsync();
    }
}
