using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Sees a distributor's death within a heartbeat, where its expiring alive key alone takes a
/// <see cref="BusOptions.MemberTimeout"/>: every half heartbeat the backend asks Redis how many
/// subscribers each live distributor's inbox has (one <c>PUBSUB NUMSUB</c> for all of them). A killed
/// process loses its Redis connection at once, and Redis drops its subscriptions with it. An inbox
/// found without a subscriber twice, a quarter heartbeat apart, belongs to a dead distributor: its
/// sockets here are disconnected (<c>transport close</c>, as for <see cref="ClusterMembership.MemberDown"/>),
/// and its alive key is deleted so that every process, and <c>siod status</c>, sees the death at its
/// next refresh. Only on a single Redis with <see cref="BusOptions.TrustPublishReceiverCounts"/> (a
/// cluster counts subscribers per node), never during the membership's grace period or while this
/// process's own connection is down (after a Redis restart nobody is subscribed for a moment).
/// A distributor declared dead this way while it was in fact alive (its own Redis connection broke)
/// finds its key gone at its next heartbeat, registers again and reconciles: the backend re-creates its
/// sockets from their recovery CONNECTs.
/// </summary>
public sealed partial class SocketIOBackend
{
    private readonly Dictionary<string, long> _declaredDead = new(StringComparer.Ordinal);
    private CancellationTokenSource? _probeStopping;
    private Task? _probeLoop;
    private long _distributorsFoundDead;

    /// <summary>Distributors this backend found dead because nobody subscribed to their inbox any more (since start).</summary>
    public long DistributorsFoundUnsubscribed => Interlocked.Read(ref _distributorsFoundDead);

    private void StartDistributorProbe(RedisBus bus, ClusterMembership membership)
    {
        if (!bus.ReceiverCountsTrusted)
        {
            return;
        }

        _probeStopping = new CancellationTokenSource();
        _probeLoop = ProbeDistributorsAsync(bus, membership, _probeStopping.Token);
    }

    private async Task StopDistributorProbeAsync()
    {
        if (_probeStopping is null)
        {
            return;
        }

        await _probeStopping.CancelAsync().ConfigureAwait(false);
        if (_probeLoop is not null)
        {
            await _probeLoop.ConfigureAwait(false);
        }

        _probeStopping.Dispose();
        (_probeStopping, _probeLoop) = (null, null);
    }

    private async Task ProbeDistributorsAsync(RedisBus bus, ClusterMembership membership, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Options.Bus.HeartbeatInterval / 2, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await ProbeOnceAsync(bus, membership, stopping).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // A Redis error or a failing handler must not stop the probe.
                    ProbeLog.ProbeFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One round: the live distributors' inboxes without a subscriber, confirmed once, are declared dead.</summary>
    private async Task ProbeOnceAsync(RedisBus bus, ClusterMembership membership, CancellationToken stopping)
    {
        if (membership.InGrace || !bus.IsConnected)
        {
            return;
        }

        // A NUMSUB sent just before an outage may be answered by the restarted, still empty Redis
        // (StackExchange.Redis keeps it in its backlog): answers that crossed a reconnect are not believed.
        var epoch = bus.ConnectionEpoch;
        var now = Time.GetTimestamp();
        lock (_declaredDead)
        {
            foreach (var id in _declaredDead.Where(d => Time.GetElapsedTime(d.Value, now) > Options.Bus.MemberTimeout).Select(d => d.Key).ToList())
            {
                _declaredDead.Remove(id);
            }
        }

        var candidates = membership.Live
            .Where(m => m.Kind == MemberKind.Distributor && !WasDeclaredDead(m.Id))
            .ToList();
        var silent = await SilentAsync(bus, candidates).ConfigureAwait(false);
        if (silent.Count == 0)
        {
            return;
        }

        // Confirm a moment later: a subscriber whose connection Redis just closed (a slow consumer) may be re-subscribing.
        await Task.Delay(Options.Bus.HeartbeatInterval / 4, Time, stopping).ConfigureAwait(false);
        silent = await SilentAsync(bus, silent).ConfigureAwait(false);
        if (membership.InGrace || !bus.IsConnected || bus.ConnectionEpoch != epoch)
        {
            return;
        }

        foreach (var distributor in silent)
        {
            await DeclareDeadAsync(bus, membership, distributor).ConfigureAwait(false);
        }
    }

    private static async Task<List<MemberInfo>> SilentAsync(RedisBus bus, List<MemberInfo> distributors)
    {
        if (distributors.Count == 0)
        {
            return [];
        }

        var counts = await bus.CountSubscribersAsync([.. distributors.Select(d => bus.Channels.Distributor(d.Id))]).ConfigureAwait(false);
        return counts is null ? [] : [.. distributors.Where((_, i) => counts[i] == 0)];
    }

    private async Task DeclareDeadAsync(RedisBus bus, ClusterMembership membership, MemberInfo distributor)
    {
        lock (_declaredDead)
        {
            if (!_declaredDead.TryAdd(distributor.Id, Time.GetTimestamp()))
            {
                return;
            }
        }

        Interlocked.Increment(ref _distributorsFoundDead);
        BackendMetrics.DistributorsUnsubscribed.Add(1);
        var sockets = _sockets.Values.Count(s => s.DistributorId == distributor.Id);
        ProbeLog.DistributorUnsubscribed(_logger, distributor.Id, sockets);

        // Its sockets here go now, by the same path as a death found by the heartbeat.
        OnMemberDown(distributor);

        // Everyone else (and the distributor itself, should it be alive) learns it from its alive key.
        await bus.Database.KeyDeleteAsync(bus.Channels.Alive(MemberKind.Distributor, distributor.Id)).ConfigureAwait(false);
        await membership.RefreshAsync().ConfigureAwait(false);
    }

    private bool WasDeclaredDead(string id)
    {
        lock (_declaredDead)
        {
            return _declaredDead.ContainsKey(id);
        }
    }

    /// <summary>Log messages of the distributor probe (event ids 4070-4079).</summary>
    private static partial class ProbeLog
    {
        [LoggerMessage(EventId = 4070, Level = LogLevel.Warning, Message = "Distributor {DistributorId} is down: nobody subscribes to its inbox (PUBSUB NUMSUB 0, twice); disconnecting its {Count} sockets now")]
        public static partial void DistributorUnsubscribed(ILogger logger, string distributorId, int count);

        [LoggerMessage(EventId = 4071, Level = LogLevel.Debug, Message = "Probing the distributors' inboxes failed; retrying at the next round")]
        public static partial void ProbeFailed(ILogger logger, Exception exception);
    }
}
