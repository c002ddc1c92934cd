using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// The backend's part of reconciliation, so that no socket known to only one side survives: a
/// distributor's <see cref="SocketInventory"/> lists the sockets it assigned here; the ones of that
/// distributor not listed are disconnected (<c>transport close</c>) and the listed ones not held here
/// are reported back (<see cref="SocketsUnknown"/>) to be re-attached. A packet for a socket not held
/// here is counted as lost and reported the same way (batched). After re-registering (a Redis
/// reconnect, or it found it had been declared dead) the backend asks every distributor for its
/// inventory (<see cref="ReconcileRequest"/>), and again when the grace period ends.
/// </summary>
public sealed partial class SocketIOBackend
{
    /// <summary>How long unknown sockets are collected before they are reported in one message.</summary>
    private static readonly TimeSpan UnknownReportDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>The most unknown sockets reported per distributor in one batch.</summary>
    private const int MaxUnknownPerReport = 10_000;

    private readonly Lock _unknownGate = new();
    private readonly Dictionary<string, HashSet<string>> _unknown = new(StringComparer.Ordinal);
    private ITimer? _unknownReport;
    private long _packetsLost;

    /// <summary>
    /// Client packets that arrived for a socket this backend does not hold (its connection was lost to
    /// a Redis outage or to this backend having declared the distributor dead): each is lost and counted
    /// here (and in <c>siod.backend.packets_lost</c>); the socket is reported to its distributor, which re-attaches it.
    /// </summary>
    public long PacketsLost => Interlocked.Read(ref _packetsLost);

    /// <summary>Messages this backend published during Redis outages that did not fit the outage buffer and were dropped (since start).</summary>
    public long MessagesDroppedInOutage => _bus?.MessagesDroppedInOutage ?? 0;

    /// <summary>True while every connection to Redis is up (false when not running and during an outage).</summary>
    public bool IsRedisConnected => _bus?.IsConnected ?? false;

    private void WireReconciliation(RedisBus bus, ClusterMembership membership)
    {
        membership.Rejoined += OnRejoined;
        membership.GraceEnded += RequestReconcile;

        // After a reconnect, held broadcasts to a namespace wait until its distributors subscribed again.
        bus.ExpectedSubscribers = channel =>
            _namespaces.Keys.FirstOrDefault(n => bus.Channels.Namespace(n) == channel) is { } nsp ? membership.DistributorsOf(nsp).Count : 0;
    }

    private void OnRejoined(string reason)
    {
        BackendLog.Rejoined(_logger, Id, reason);
        RequestReconcile();
    }

    /// <summary>Asks every distributor for the sockets it has assigned here.</summary>
    private void RequestReconcile()
    {
        if (_router is { } router)
        {
            router.Publish(router.Channels.All, new ReconcileRequest(Id));
        }
    }

    /// <summary>Drops this distributor's sockets it did not list; reports the listed ones not held here.</summary>
    private void OnSocketInventory(SocketInventory inventory)
    {
        var listed = new HashSet<string>(inventory.SocketIds, StringComparer.Ordinal);
        var ghosts = _sockets.Values.Where(s => s.DistributorId == inventory.DistributorId && !listed.Contains(s.Id)).ToList();
        foreach (var ghost in ghosts)
        {
            ghost.EnqueueDisconnect("transport close");
        }

        var unknown = listed
            .Where(id => !_sockets.TryGetValue(id, out var socket) || socket.DistributorId != inventory.DistributorId || socket.IsLeaving)
            .ToList();
        if (ghosts.Count > 0 || unknown.Count > 0)
        {
            BackendLog.Reconciled(_logger, inventory.DistributorId, listed.Count, ghosts.Count, unknown.Count);
        }

        if (unknown.Count > 0 && _router is { } router)
        {
            router.Publish(router.Channels.Distributor(inventory.DistributorId), new SocketsUnknown(Id, unknown));
        }
    }

    /// <summary>A packet for a socket not held here: counted as lost, and the socket reported to its distributor (batched).</summary>
    private void OnPacketForUnknownSocket(string socketId)
    {
        Interlocked.Increment(ref _packetsLost);
        BackendMetrics.PacketsLost.Add(1);
        BackendLog.UnknownSocket(_logger, socketId);
        var dot = socketId.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return;
        }

        var distributorId = socketId[..dot];
        lock (_unknownGate)
        {
            if (!_unknown.TryGetValue(distributorId, out var batch))
            {
                _unknown[distributorId] = batch = new HashSet<string>(StringComparer.Ordinal);
            }

            if (batch.Count < MaxUnknownPerReport)
            {
                batch.Add(socketId);
            }

            _unknownReport ??= Time.CreateTimer(static s => ((SocketIOBackend)s!).ReportUnknown(), this, UnknownReportDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void ReportUnknown()
    {
        List<KeyValuePair<string, HashSet<string>>> batches;
        lock (_unknownGate)
        {
            batches = [.. _unknown];
            _unknown.Clear();
            _unknownReport?.Dispose();
            _unknownReport = null;
        }

        if (_router is not { } router)
        {
            return;
        }

        foreach (var (distributorId, socketIds) in batches)
        {
            BackendLog.PacketsForUnknownSockets(_logger, socketIds.Count, distributorId);
            router.Publish(router.Channels.Distributor(distributorId), new SocketsUnknown(Id, [.. socketIds]));
        }
    }

    /// <summary>
    /// A recovery CONNECT for a socket already held from the same distributor is answered without
    /// running the connection handlers again (idempotent); one for a socket being disconnected here
    /// is handled once that disconnection is done. Returns false when the request is a new socket.
    /// </summary>
    private bool TryAnswerKnownSocket(ConnectRequest request)
    {
        if (!request.Recovered || !_sockets.TryGetValue(request.SocketId, out var existing) || existing.DistributorId != request.DistributorId)
        {
            return false;
        }

        if (existing.IsLeaving)
        {
            _ = ConnectAfterDisconnectAsync(existing, request);
        }
        else if (existing.Connected)
        {
            Router.Publish(Router.Channels.Distributor(request.DistributorId), new ConnectResult(request.SocketId, Id, true, ReadOnlyMemory<byte>.Empty));
        }

        // Else it is still connecting: its own answer follows.
        return true;
    }

    private async Task ConnectAfterDisconnectAsync(BackendSocket leaving, ConnectRequest request)
    {
        try
        {
            await leaving.Disconnected.WaitAsync(Options.CommandTimeout, Time).ConfigureAwait(false);
            if (_router is not null)
            {
                OnConnectRequest(request);
            }
        }
        catch (TimeoutException)
        {
            BackendLog.DuplicateSocket(_logger, request.SocketId);
        }
        catch (Exception ex) when (ex is InvalidOperationException or StackExchange.Redis.RedisException)
        {
            // Stopped meanwhile, or the bus failed: the distributor's next reconciliation retries.
            BackendLog.QueueItemFailed(_logger, ex, request.SocketId);
        }
    }
}
