using System.Diagnostics;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.EndToEnd.Tests.RedisCluster;

/// <summary>
/// The load of the Redis Cluster fault tests: a backend emits numbered <c>tick</c>s to a namespace and
/// numbered <c>rtick</c>s to a room, every few milliseconds, bounded in count and time; the clients'
/// receipts are read back from the Node driver to find which numbers never arrived.
/// </summary>
internal sealed class TickLoad : IAsyncDisposable
{
    private readonly BackendNamespace _nsp;
    private readonly string _room;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _loop;
    private long _sent;

    private TickLoad(BackendNamespace nsp, string room, int max, TimeSpan interval, TimeSpan limit)
    {
        _nsp = nsp;
        _room = room;
        _loop = RunAsync(max, interval, limit);
    }

    /// <summary>Ticks sent so far (each number was emitted to the namespace and to the room).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Starts emitting at once.</summary>
    public static TickLoad Start(BackendNamespace nsp, string room, int max = 4000, int intervalMs = 5, int limitSeconds = 40) =>
        new(nsp, room, max, TimeSpan.FromMilliseconds(intervalMs), TimeSpan.FromSeconds(limitSeconds));

    /// <summary>Stops emitting and returns how many ticks were sent.</summary>
    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Sent;
    }

    /// <summary>The distinct tick numbers socket <paramref name="name"/> received as <paramref name="ev"/>.</summary>
    public static HashSet<long> Received(NodeClientDriver clients, string name, string ev) =>
        [.. clients.Events.Where(e => e.Name == name && e.Event == ev && e.Args.Count == 1).Select(e => e.Args[0].GetInt64())];

    /// <summary>Waits until socket <paramref name="name"/> receives a tick numbered above <paramref name="after"/>; returns how long that took.</summary>
    public static async Task<TimeSpan> WaitPastAsync(NodeClientDriver clients, string name, string ev, long after, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        await clients.WaitForEventAsync(name, ev, e => e.Args.Count == 1 && e.Args[0].GetInt64() > after, timeout);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(int max, TimeSpan interval, TimeSpan limit)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (Sent < max && _clock.Elapsed < limit && await timer.WaitForNextTickAsync(_stop.Token))
            {
                var n = Interlocked.Increment(ref _sent);
                _nsp.Emit("tick", n);
                _nsp.To(_room).Emit("rtick", n);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
