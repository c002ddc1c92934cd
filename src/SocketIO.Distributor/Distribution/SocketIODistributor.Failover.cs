using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>Backends found dead by their publish replies, and backends draining.</summary>
public sealed partial class SocketIODistributor
{
    private readonly ConcurrentDictionary<string, long> _unreachable = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _leaving = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ITimer> _drainTimers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _movingOff = new(StringComparer.Ordinal);
    private BackendInboxes? _inboxes;
    private readonly Lock _probeGate = new();
    private ITimer? _probeTimer;
    private bool _probeArmed;

    internal BackendInboxes Inboxes => LazyInitializer.EnsureInitialized(ref _inboxes, () => new BackendInboxes(this));

    /// <summary>True if Redis recently said nobody listens on the backend's inbox (it is not picked for new sockets).</summary>
    internal bool IsUnreachable(string backendId) =>
        _unreachable.TryGetValue(backendId, out var since) && Time.GetElapsedTime(since) < Options.Bus.MemberTimeout * 2;

    /// <summary>True if the backend announced its departure recently (it drains what it received).</summary>
    internal bool IsLeaving(string backendId) =>
        _leaving.TryGetValue(backendId, out var since) && Time.GetElapsedTime(since) < Options.BackendDrainGrace;

    /// <summary>
    /// Redis answered a publish to the backend's inbox with 0 receivers: nobody listens, so it is dead
    /// (or has left). Its sockets move now, the membership view is re-read, and it is not picked again
    /// until its entry is gone (or <see cref="Bus.BusOptions.MemberTimeout"/> × 2 passed).
    /// </summary>
    internal void OnBackendUnreachable(string backendId)
    {
        if (Stamp(_unreachable, backendId, Options.Bus.MemberTimeout * 2))
        {
            Statistics.OnBackendUnreachable();
            DistributorMetrics.BackendsUnreachable.Add(1);
            FailoverLog.BackendUnreachable(Logger, backendId);
            _ = RefreshMembershipAsync();
        }

        foreach (var relay in _namespaces.Values)
        {
            _ = relay.OnBackendLost(backendId, IsLeaving(backendId) ? BackendLoss.Unsubscribed : BackendLoss.Dead);
        }
    }

    /// <summary>
    /// A backend announced its departure (its <see cref="MemberLeaving"/>, or its entry saying it drains,
    /// whichever came first): it drains what it received before it unsubscribes. Its sockets here move
    /// to another replica, then <see cref="DepartureSeen"/> goes to its inbox behind everything sent
    /// there (if it <paramref name="awaitsAcknowledgement"/>): the backend knows this distributor sends it nothing more.
    /// </summary>
    internal void OnBackendLeaving(string backendId, bool awaitsAcknowledgement)
    {
        MarkLeaving(backendId);
        if (_movingOff.TryAdd(backendId, 0))
        {
            _ = MoveOffAndAcknowledgeAsync(backendId, awaitsAcknowledgement);
        }
    }

    /// <summary>
    /// Marks the backend as draining (so that whatever finds it gone from now on reads a departure, not a
    /// death) and arms the timer that fails what it owes should its <see cref="BackendDrained"/> never come.
    /// Called before it leaves the members view.
    /// </summary>
    internal void MarkLeaving(string backendId)
    {
        if (!Stamp(_leaving, backendId, Options.BackendDrainGrace))
        {
            return;
        }

        // Should its BackendDrained never come (it crashed while draining), what it still owes is failed then.
        var timer = Time.CreateTimer(
            static state =>
            {
                var (distributor, id) = ((SocketIODistributor, string))state!;
                distributor.OnBackendDrained(new BackendDrained(id));
            },
            (this, backendId),
            Options.BackendDrainGrace,
            Timeout.InfiniteTimeSpan);
        if (_drainTimers.TryRemove(backendId, out var previous))
        {
            previous.Dispose();
        }

        _drainTimers[backendId] = timer;
    }

    /// <summary>
    /// Records now as <paramref name="backendId"/>'s moment in <paramref name="stamps"/> unless a moment less
    /// than <paramref name="window"/> old is already there; true if it recorded (the first report in the window).
    /// </summary>
    private bool Stamp(ConcurrentDictionary<string, long> stamps, string backendId, TimeSpan window)
    {
        var now = Time.GetTimestamp();
        var first = false;
        stamps.AddOrUpdate(
            backendId,
            _ =>
            {
                first = true;
                return now;
            },
            (_, since) =>
            {
                first = Time.GetElapsedTime(since) >= window;
                return first ? now : since;
            });
        return first;
    }

    private async Task MoveOffAndAcknowledgeAsync(string backendId, bool acknowledge)
    {
        try
        {
            await Task.WhenAll(_namespaces.Values.Select(relay => relay.OnBackendLost(backendId, BackendLoss.Draining)));
            if (!acknowledge)
            {
                return;
            }

            // Every socket moved, each under its own lock: whatever this distributor sent the backend is
            // published (or waiting in that inbox's batch, which this joins at the end).
            Inboxes.PublishInOrder(backendId, () => new DepartureSeen(Id).Encode());
            FailoverLog.DepartureSeen(Logger, backendId);
        }
        catch (Exception ex) when (ex is InvalidOperationException or StackExchange.Redis.RedisException)
        {
            // Stopping, or Redis went away: the backend's drain ends at its timeout instead.
            FailoverLog.ReactionFailed(Logger, ex, backendId);
        }
    }

    /// <summary>A draining backend unsubscribed: what it never answered gets an error ack and is counted.</summary>
    internal void OnBackendDrained(BackendDrained drained)
    {
        if (_drainTimers.TryRemove(drained.BackendId, out var timer))
        {
            timer.Dispose();
        }

        // Its drain is over: a later run with the same id (a restart with a configured id) may leave again.
        _leaving.TryRemove(drained.BackendId, out _);
        _movingOff.TryRemove(drained.BackendId, out _);

        foreach (var relay in _namespaces.Values)
        {
            relay.FailAcksOf(drained.BackendId);
        }

        CountPossiblyLost(drained.BackendId);
    }

    /// <summary>Counts the events without ack the lost backend received and never reported handled.</summary>
    internal void CountPossiblyLost(string backendId)
    {
        var lost = Inboxes.Forget(backendId);
        if (lost > 0)
        {
            Statistics.OnPossiblyLost(lost);
            DistributorMetrics.EventsPossiblyLost.Add(lost);
            FailoverLog.EventsPossiblyLost(Logger, lost, backendId);
        }
    }

    /// <summary>
    /// Prepares probing the inboxes of backends that owe answers (when receiver counts are trusted). The
    /// timer is armed only while some socket here awaits a backend's answer (<see cref="OnAnswerOwed"/>)
    /// and disarms itself when none does: an idle distributor does not wake up every probe interval.
    /// </summary>
    private void StartProbing()
    {
        if (Bus.ReceiverCountsTrusted)
        {
            _probeTimer = Time.CreateTimer(static state => ((SocketIODistributor)state!).ProbeOwingBackends(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void StopProbing()
    {
        lock (_probeGate)
        {
            _probeTimer?.Dispose();
            _probeTimer = null;
            _probeArmed = false;
        }
    }

    /// <summary>A socket here now awaits a backend's answer: the probe timer runs (if it did not already).</summary>
    internal void OnAnswerOwed()
    {
        if (Volatile.Read(ref _probeArmed))
        {
            return;
        }

        lock (_probeGate)
        {
            if (_probeArmed || _probeTimer is null)
            {
                return;
            }

            _probeArmed = true;
            _probeTimer.Change(Options.BackendProbeInterval, Options.BackendProbeInterval);
        }
    }

    /// <summary>Publishes a probe on the inbox of every backend that owes a socket here an answer; 0 receivers: it is dead.</summary>
    private void ProbeOwingBackends()
    {
        if (_bus is not { } bus)
        {
            return;
        }

        var owing = CollectOwingBackends();
        if (owing.Count == 0)
        {
            // Nothing owed: disarm, then look once more, since an answer owed meanwhile saw the timer
            // armed and did not arm it.
            lock (_probeGate)
            {
                _probeArmed = false;
                _probeTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            if (CollectOwingBackends().Count > 0)
            {
                OnAnswerOwed();
            }

            return;
        }

        owing.RemoveWhere(id => IsLeaving(id) || IsUnreachable(id));
        foreach (var backendId in owing)
        {
            _ = ProbeAsync(bus, backendId);
        }
    }

    private HashSet<string> CollectOwingBackends()
    {
        var owing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relay in _sockets.Values)
        {
            relay.CollectOwingBackends(owing);
        }

        return owing;
    }

    private async Task ProbeAsync(Bus.RedisBus bus, string backendId)
    {
        try
        {
            if (await bus.PublishCountingReceivers(bus.Channels.Backend(backendId), new InboxProbe(Id).Encode()) == 0)
            {
                OnBackendUnreachable(backendId);
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or InvalidOperationException)
        {
            // Stopping, or Redis is gone: the heartbeat path takes over.
            FailoverLog.ProbeFailed(Logger, ex, backendId);
        }
    }

    private async Task RefreshMembershipAsync()
    {
        try
        {
            await Membership.RefreshAsync();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            FailoverLog.RefreshFailed(Logger, ex);
        }
    }
}

/// <summary>Log messages of backend failover (event ids 5201-5299).</summary>
internal static partial class FailoverLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Nobody listens on the inbox of backend {BackendId} (PUBLISH reached 0 subscribers): moving its sockets now")]
    public static partial void BackendUnreachable(ILogger logger, string backendId);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "{Count} client event(s) of {Namespace} that backend {BackendId} received were never answered: answered with a BACKEND_LOST error ack")]
    public static partial void AcksFailed(ILogger logger, int count, string @namespace, string backendId);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "{Count} client event(s) without ack that backend {BackendId} received were never reported handled: possibly lost")]
    public static partial void EventsPossiblyLost(ILogger logger, long count, string backendId);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Debug, Message = "Probing the inbox of backend {BackendId} failed")]
    public static partial void ProbeFailed(ILogger logger, Exception exception, string backendId);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "Moving the sockets of unreachable backend {BackendId} failed; the heartbeat path takes over")]
    public static partial void ReactionFailed(ILogger logger, Exception exception, string backendId);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Debug, Message = "Backend {BackendId} is leaving: its sockets here moved; told it that nothing more follows")]
    public static partial void DepartureSeen(ILogger logger, string backendId);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Re-reading the members after losing a backend failed")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);
}
