using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// The issue's recovery target, shared by the cut test (EndToEnd RecoveryLoadTests) and the kill -9
/// test (Fault RecoveryKillTests): every socket of a <see cref="RecoveryLoad"/> loses its connection at
/// once while the backend keeps emitting to everyone (<c>n</c>) and to the room <c>even</c> (<c>e</c>);
/// once the backend holds every session, all reconnect to the other distributor while the emits go on.
/// At least 99.9% must be recovered, with no duplicate, gap or reordering; the others connect as new
/// sockets (new id), and the backend saw exactly their disconnects.
/// </summary>
public sealed class RecoveryLoadScenario
{
    /// <summary>Emits after the fault, before the sessions are all held, and again after: missed by every client.</summary>
    private const int MissedEmits = 40;

    /// <summary>
    /// The most emits while the clients reconnect (one per <see cref="LivePace"/>). Bounded in count, so a
    /// slow machine does not also get more work: each emit is a delivery to every one of the sockets, and
    /// the client process parses them all.
    /// </summary>
    private const int MaxLiveEmits = 150;

    private static readonly TimeSpan LivePace = TimeSpan.FromMilliseconds(20);

    private int _n;
    private int _e;

    /// <summary>The sockets.</summary>
    public required int Clients { get; init; }

    /// <summary>Emits <c>n</c> with its argument to everyone in the namespace.</summary>
    public required Action<int> EmitToAll { get; init; }

    /// <summary>Emits <c>e</c> with its argument to the room <c>even</c>.</summary>
    public required Action<int> EmitToEven { get; init; }

    /// <summary>Sockets the backend holds for recovery now.</summary>
    public required Func<int> WaitingSockets { get; init; }

    /// <summary>Sessions the backend restored so far.</summary>
    public required Func<long> Restored { get; init; }

    /// <summary>Disconnects the backend's handlers saw so far.</summary>
    public required Func<int> Disconnects { get; init; }

    /// <summary>What the backend was doing, for a failure message.</summary>
    public Func<string> Describe { get; init; } = static () => string.Empty;

    /// <summary>
    /// Runs it: <paramref name="fault"/> takes every socket's connection away (a cut, a kill -9 of their
    /// distributor); the clients then reconnect to <paramref name="otherUrl"/>. Returns the result line.
    /// </summary>
    public async Task<string> RunAsync(RecoveryLoad load, Func<Task> fault, string otherUrl, ITestOutputHelper output, string name)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            Emit();
        }

        Assert.Equal(0, Get(await load.SettleAsync(_n, _e, TimeSpan.FromSeconds(20)), "incomplete"));

        await fault();
        var faulted = Stopwatch.GetTimestamp();
        for (var i = 0; i < MissedEmits; i++)
        {
            Emit();
        }

        await Eventually.TrueAsync(
            () => WaitingSockets() == Clients,
            () => $"the backend holds all {Clients} sockets for recovery (holds {WaitingSockets()}; {Describe()}; " +
                $"thread pool: {ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} pending)",
            TimeSpan.FromSeconds(20));
        var held = Stopwatch.GetElapsedTime(faulted);
        for (var i = 0; i < MissedEmits; i++)
        {
            Emit();
        }

        var reconnecting = load.ReconnectAsync(otherUrl, TimeSpan.FromSeconds(40));
        using (var pace = new PeriodicTimer(LivePace))
        {
            for (var live = 0; live < MaxLiveEmits && !reconnecting.IsCompleted && await pace.WaitForNextTickAsync(); live++)
            {
                Emit();
            }
        }

        var reconnected = await reconnecting;
        for (var i = 0; i < 10; i++)
        {
            Emit();
        }

        var report = await load.SettleAsync(_n, _e, TimeSpan.FromSeconds(20));
        var recovered = reconnected.GetProperty("recovered").GetInt32();
        var result =
            $"RESULT {name}: {recovered}/{Clients} recovered, all held {held.TotalMilliseconds:0} ms after the fault, " +
            $"all back in {reconnected.GetProperty("ms").GetInt32()} ms, {_n} + {_e} emits, {report.GetProperty("deliveries").GetInt64()} deliveries, " +
            $"duplicates {Get(report, "duplicates")}, gaps {Get(report, "gaps")}, out of order {Get(report, "outOfOrder")}, new ids {Get(reconnected, "sidChanged")}, " +
            $"wall {clock.ElapsedMilliseconds} ms";
        output.WriteLine(result);

        Assert.True(recovered >= Clients * 999 / 1000, $"only {recovered} of {Clients} recovered");
        Assert.Equal(0, Get(report, "duplicates"));
        Assert.Equal(0, Get(report, "gaps"));
        Assert.Equal(0, Get(report, "outOfOrder"));
        Assert.Equal(0, Get(report, "incomplete"));

        // Recovered: same id; refused: a brand-new socket with a new id, whose old one disconnected once.
        Assert.Equal(Clients - recovered, Get(reconnected, "sidChanged"));
        Assert.Equal(recovered, Restored());
        Assert.Equal(Clients - recovered, Disconnects());
        return result;
    }

    private static int Get(JsonElement report, string property) => report.GetProperty(property).GetInt32();

    private void Emit()
    {
        EmitToAll(++_n);
        if (_n % 2 == 0)
        {
            EmitToEven(++_e);
        }
    }
}
