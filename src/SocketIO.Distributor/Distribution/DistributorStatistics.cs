namespace SocketIO.Distributor.Distribution;

/// <summary>
/// What one distributor received and relayed since it started: for operators (<c>siod status</c>,
/// the periodic stats log) and for tests that check which distributor a message reached.
/// </summary>
public sealed class DistributorStatistics
{
    private long _directMessages;
    private long _broadcasts;
    private long _packetsToBackends;
    private long _connectRequests;
    private long _commands;
    private long _lost;
    private long _inventories;
    private long _reattached;

    /// <summary>Messages for one socket (<c>SendToSocket</c>) received from backends.</summary>
    public long DirectMessagesReceived => Interlocked.Read(ref _directMessages);

    /// <summary>Broadcasts (namespace or room) received from backends, counted once each.</summary>
    public long BroadcastsReceived => Interlocked.Read(ref _broadcasts);

    /// <summary>Client events and acks relayed to backends.</summary>
    public long PacketsRelayedToBackends => Interlocked.Read(ref _packetsToBackends);

    /// <summary>CONNECTs sent to backends.</summary>
    public long ConnectRequestsSent => Interlocked.Read(ref _connectRequests);

    /// <summary>Socket commands (join, leave, disconnect) received from backends.</summary>
    public long CommandsReceived => Interlocked.Read(ref _commands);

    /// <summary>Messages from backends that never arrived, found by gaps in their channel sequence numbers.</summary>
    public long MessagesLost => Interlocked.Read(ref _lost);

    /// <summary>Socket inventories sent to backends for reconciliation.</summary>
    public long InventoriesSent => Interlocked.Read(ref _inventories);

    /// <summary>Sockets re-attached to a backend that did not hold them (after a reconciliation or a packet it could not place).</summary>
    public long SocketsReattached => Interlocked.Read(ref _reattached);

    /// <summary>Messages this distributor published during Redis outages that did not fit the outage buffer and were dropped.</summary>
    public long MessagesDroppedInOutage => OutageDropped?.Invoke() ?? 0;

    internal Func<long>? OutageDropped { get; set; }

    internal void OnInventorySent() => Interlocked.Increment(ref _inventories);

    internal void OnSocketsReattached(int count) => Interlocked.Add(ref _reattached, count);

    internal void OnDirectMessage() => Interlocked.Increment(ref _directMessages);

    internal void OnBroadcast() => Interlocked.Increment(ref _broadcasts);

    internal void OnPacketRelayed() => Interlocked.Increment(ref _packetsToBackends);

    internal void OnConnectRequest() => Interlocked.Increment(ref _connectRequests);

    internal void OnCommand() => Interlocked.Increment(ref _commands);

    internal void OnMessagesLost(long count) => Interlocked.Add(ref _lost, count);
}
