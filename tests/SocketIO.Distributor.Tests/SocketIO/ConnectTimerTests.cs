using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SocketIO.Distributor.SocketIO;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.SocketIO;

/// <summary>
/// The connect timeout's timer lives only until the first namespace connect: a connected (idle) client
/// holds no timer for it, and one that never connects is still closed when it runs out.
/// </summary>
public sealed class ConnectTimerTests
{
    /// <summary>A value no other timer of the server uses, so the test can tell the connect timer apart.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(41.5);

    [Fact]
    public async Task The_connect_timer_is_disposed_when_the_client_connects_a_namespace()
    {
        var time = new TimerCountingTimeProvider();
        await using var host = await StartAsync(time);
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        var sid = await HandshakeAsync(http);
        await Eventually.TrueAsync(() => time.Created(ConnectTimeout) == 1, "the handshake armed the connect timer");
        Assert.Equal(0, time.Disposed(ConnectTimeout));

        var push = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent("40"));
        push.EnsureSuccessStatusCode();
        var poll = await http.GetStringAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}");

        Assert.StartsWith("40{\"sid\":", poll, StringComparison.Ordinal);
        Assert.Equal(1, time.Created(ConnectTimeout));
        Assert.Equal(1, time.Disposed(ConnectTimeout));
    }

    [Fact]
    public async Task A_client_that_connects_no_namespace_keeps_its_connect_timer_until_it_leaves()
    {
        var time = new TimerCountingTimeProvider();
        await using var host = await StartAsync(time);
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        var sid = await HandshakeAsync(http);
        await Eventually.TrueAsync(() => time.Created(ConnectTimeout) == 1, "the handshake armed the connect timer");
        Assert.Equal(0, time.Disposed(ConnectTimeout));

        // The client leaves (engine.io close packet): the timer goes with it.
        var close = await http.PostAsync($"/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent("1"));
        close.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => time.Disposed(ConnectTimeout) == 1, "closing the connection disposes its connect timer");
    }

    private static async Task<RunningHost> StartAsync(TimeProvider time) =>
        await RunningHost.StartAsync(args =>
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddSingleton(time);
            builder.Services.AddSocketIOServer(o => o.ConnectTimeout = ConnectTimeout);
            var app = builder.Build();
            app.MapSocketIO(server => server.AddNamespace("/", new AcceptingNamespace()));
            return app;
        });

    private static async Task<string> HandshakeAsync(HttpClient http)
    {
        var open = await http.GetStringAsync("/socket.io/?EIO=4&transport=polling");
        return System.Text.Json.JsonDocument.Parse(open[1..]).RootElement.GetProperty("sid").GetString()!;
    }

    /// <summary>The system clock, counting the timers created and disposed per due time.</summary>
    private sealed class TimerCountingTimeProvider : TimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<TimeSpan, int> _created = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<TimeSpan, int> _disposed = new();

        public int Created(TimeSpan dueTime) => _created.GetValueOrDefault(dueTime);

        public int Disposed(TimeSpan dueTime) => _disposed.GetValueOrDefault(dueTime);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _created.AddOrUpdate(dueTime, 1, (_, n) => n + 1);
            return new CountedTimer(System.CreateTimer(callback, state, dueTime, period), () => _disposed.AddOrUpdate(dueTime, 1, (_, n) => n + 1));
        }

        private sealed class CountedTimer(ITimer inner, Action onDisposed) : ITimer
        {
            private int _disposed;

            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    onDisposed();
                }

                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    private sealed class AcceptingNamespace : INamespaceHandler
    {
        public ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ConnectDecision.Accept);

        public void OnConnected(ClientSocket socket)
        {
        }

        public void OnMessage(ClientSocket socket, InboundMessage message)
        {
        }

        public void OnDisconnect(ClientSocket socket, string reason)
        {
        }
    }
}
