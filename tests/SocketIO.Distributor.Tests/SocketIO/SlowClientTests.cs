using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SocketIO.Distributor.Protocol.SocketIO;
using SocketIO.Distributor.SocketIO;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.SocketIO;

/// <summary>
/// A client that does not read is dropped when its bounded outbound queue fills, instead of growing
/// memory; volatile emits to it are dropped instead. A long-polling client that never polls makes this
/// deterministic: nothing drains its queue.
/// </summary>
public sealed class SlowClientTests
{
    private const int QueueLimit = 8;

    [Fact]
    public async Task A_client_that_does_not_read_is_disconnected_when_its_queue_is_full()
    {
        var flood = new FloodNamespace(count: QueueLimit * 3, isVolatile: false);
        await using var host = await StartAsync(flood);
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        var dropped = 0L;
        using var listener = ListenFor("siod.engine.slow_clients_dropped", v => Interlocked.Add(ref dropped, v));

        var sid = await ConnectWithoutPollingAsync(http);

        await Eventually.TrueAsync(() => flood.Disconnects.Contains("slow client"), "the namespace hears the socket left as a slow client");
        Assert.True(Interlocked.Read(ref dropped) >= 1);
        var poll = await http.GetAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");
        Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
    }

    [Fact]
    public async Task Volatile_emits_to_a_client_that_does_not_read_are_dropped_and_the_client_stays()
    {
        var flood = new FloodNamespace(count: QueueLimit * 3, isVolatile: true);
        await using var host = await StartAsync(flood);
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        var sid = await ConnectWithoutPollingAsync(http);
        await Eventually.TrueAsync(() => flood.Flooded, "the namespace has emitted everything");

        var poll = await http.GetStringAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");
        var packets = poll.Split('\x1e');
        Assert.Contains(packets, p => p.StartsWith("40{", StringComparison.Ordinal));
        var events = packets.Count(p => p.StartsWith("42", StringComparison.Ordinal));
        Assert.InRange(events, 1, QueueLimit);
        Assert.Empty(flood.Disconnects);
    }

    private static async Task<RunningHost> StartAsync(FloodNamespace flood) =>
        await RunningHost.StartAsync(args =>
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddSocketIOServer(o => o.Engine.MaxQueuedPackets = QueueLimit);
            var app = builder.Build();
            app.MapSocketIO(server => server.AddNamespace("/", flood));
            return app;
        });

    /// <summary>Handshakes over polling and sends CONNECT, then never polls again.</summary>
    private static async Task<string> ConnectWithoutPollingAsync(HttpClient http)
    {
        var open = await http.GetStringAsync("/socket.io/?EIO=4&transport=polling");
        var sid = System.Text.Json.JsonDocument.Parse(open[1..]).RootElement.GetProperty("sid").GetString()!;
        var push = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent("40"));
        push.EnsureSuccessStatusCode();
        return sid;
    }

    private static MeterListener ListenFor(string instrument, Action<long> onValue)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == "SocketIO.Distributor" && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => onValue(value));
        listener.Start();
        return listener;
    }

    /// <summary>Emits <c>count</c> events to each socket as soon as it connects.</summary>
    private sealed class FloodNamespace(int count, bool isVolatile) : INamespaceHandler
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Disconnects { get; } = [];

        public bool Flooded { get; private set; }

        public ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ConnectDecision.Accept);

        public void OnConnected(ClientSocket socket)
        {
            for (var i = 0; i < count; i++)
            {
                var frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/", -1, 0, EventPayload.Build("tick", "[1]"u8));
                if (isVolatile)
                {
                    socket.SendVolatile(frame);
                }
                else
                {
                    socket.Send([frame]);
                }
            }

            Flooded = true;
        }

        public void OnMessage(ClientSocket socket, InboundMessage message)
        {
        }

        public void OnDisconnect(ClientSocket socket, string reason) => Disconnects.Add(reason);
    }
}
