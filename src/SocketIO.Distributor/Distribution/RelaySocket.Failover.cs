using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// What a socket relays to its backend and has not seen the end of: packets whose publish reply has
/// not come back yet (re-sent to the next backend when Redis says nobody received them), and client
/// events with an ack id the backend has not answered (answered with an error ack when the backend
/// that held them is lost). Both bounded.
/// </summary>
internal sealed partial class RelaySocket
{
    /// <summary>The most packets per socket kept until Redis confirms a receiver; beyond, they are not re-sendable.</summary>
    internal const int MaxUnconfirmed = 4_096;

    /// <summary>The ack answered to a client event whose backend was lost before answering it.</summary>
    internal static readonly byte[] BackendLostAck = """[{"message":"backend lost","code":"BACKEND_LOST"}]"""u8.ToArray();

    private readonly object _relayGate = new();
    /// <summary>Packets not yet confirmed by Redis; created by the first one (an idle socket holds none). Under <see cref="_relayGate"/>.</summary>
    private LinkedList<Outbound>? _unconfirmed;

    /// <summary>Client events awaiting a backend's answer, by ack id; created by the first one. Under <see cref="_relayGate"/>.</summary>
    private Dictionary<long, string>? _pendingAcks;
    private long _unknownActedAt;
    private long _lastAckId = -1;
    private long _ackIdAtReattach = -1;
    private bool _released;

    /// <summary>The namespace serving the socket.</summary>
    public required RelayNamespace Owner { get; init; }

    /// <summary>Client events with an ack id not yet answered by a backend.</summary>
    public int PendingAcks
    {
        get
        {
            lock (_relayGate)
            {
                return _pendingAcks?.Count ?? 0;
            }
        }
    }

    /// <summary>True if packets or unanswered events are held against <paramref name="backendId"/>.</summary>
    public bool HoldsFor(string backendId)
    {
        lock (_relayGate)
        {
            return (_pendingAcks?.ContainsValue(backendId) ?? false) || (_unconfirmed?.Any(o => o.BackendId == backendId) ?? false);
        }
    }

    /// <summary>Adds the backends that owe this socket an answer to <paramref name="backends"/>.</summary>
    public void CollectOwingBackends(HashSet<string> backends)
    {
        lock (_relayGate)
        {
            if (_pendingAcks is { Count: > 0 } pendingAcks)
            {
                backends.UnionWith(pendingAcks.Values);
            }
        }
    }

    /// <summary>Relays a client EVENT or ACK to the socket's backend.</summary>
    /// <param name="packet">The packet (numbered when published).</param>
    /// <param name="isEvent">True for an EVENT (false for an ACK answering the backend).</param>
    /// <param name="ackId">For an event: its ack id, or -1.</param>
    public void Relay(ClientPacket packet, bool isEvent, long ackId)
    {
        lock (_relayGate)
        {
            if (_released)
            {
                // The socket left (its SocketDisconnected is published): the backend no longer holds it.
                // The client is disconnected too, and socket.io-client fails the event's ack itself.
                return;
            }

            if (isEvent && ackId >= 0)
            {
                var pendingAcks = _pendingAcks ??= [];
                if (pendingAcks.Count >= Owner.MaxPendingAcks)
                {
                    // Bounded: the oldest (ack ids grow) is no longer held, and counted.
                    pendingAcks.Remove(pendingAcks.Keys.Min());
                    Owner.OnAckUntracked();
                }

                pendingAcks[ackId] = BackendId;
                _lastAckId = Math.Max(_lastAckId, ackId);
                Owner.OnAnswerOwed();
            }

            SendLocked(new Outbound(packet, isEvent ? ackId : -1, isEvent));
        }
    }

    /// <summary>
    /// The socket left: runs <paramref name="announce"/> (which publishes its SocketDisconnected) under the
    /// same lock as <see cref="Relay"/>, so that a packet the client sent while its connection closed is
    /// either published before the departure or not at all, never after it (the backend would no longer
    /// hold the socket).
    /// </summary>
    /// <param name="announce">Publishes the departure.</param>
    public void Release(Action announce)
    {
        ArgumentNullException.ThrowIfNull(announce);
        lock (_relayGate)
        {
            if (_released)
            {
                return;
            }

            _released = true;
            announce();
        }
    }

    /// <summary>The backend answered the client event <paramref name="ackId"/>.</summary>
    public void OnAckAnswered(long ackId)
    {
        lock (_relayGate)
        {
            _pendingAcks?.Remove(ackId);
        }
    }

    /// <summary>
    /// <paramref name="deadBackendId"/> is lost. If it served the socket, <paramref name="pickNext"/>
    /// chooses the next one (null: none left, and this returns false) and <paramref name="connect"/>
    /// asks it to take the socket over. Unless the backend is <see cref="BackendLoss.Draining"/>, packets
    /// Redis did not confirm are re-sent, in order, to the socket's backend; when it is
    /// <see cref="BackendLoss.Dead"/>, events it received but never answered get an error ack.
    /// </summary>
    /// <returns>False if the socket lost its backend and no other is left.</returns>
    public bool RecoverFrom(string deadBackendId, BackendLoss loss, Func<string?> pickNext, Action<string> connect)
    {
        lock (_relayGate)
        {
            if (BackendId == deadBackendId)
            {
                var next = pickNext();
                if (next is null)
                {
                    FailAcksLocked(backendId: null);
                    return false;
                }

                BackendId = next;
                connect(next);
            }

            if (loss == BackendLoss.Draining)
            {
                return true;
            }

            var resend = _unconfirmed?.Where(o => o.BackendId == deadBackendId && o.State == OutboundState.Pending).ToList() ?? [];
            foreach (var outbound in resend)
            {
                outbound.State = OutboundState.Resent;
                _unconfirmed!.Remove(outbound.Node!);
                outbound.Node = null;
                if (outbound.AckId >= 0)
                {
                    (_pendingAcks ??= [])[outbound.AckId] = BackendId;
                    Owner.OnAnswerOwed();
                }

                SendLocked(new Outbound(outbound.Packet, outbound.AckId, outbound.IsEvent));
            }

            if (resend.Count > 0)
            {
                Owner.OnResent(resend.Count);
            }

            if (loss == BackendLoss.Dead)
            {
                FailAcksLocked(deadBackendId);
            }

            return true;
        }
    }

    /// <summary>A draining backend is gone for good: events it never answered get an error ack.</summary>
    public void FailAcksOf(string backendId)
    {
        lock (_relayGate)
        {
            FailAcksLocked(backendId);
        }
    }

    /// <summary>
    /// <paramref name="backendId"/> reported that it does not hold this socket (it dropped it, for
    /// instance after declaring this distributor dead while it was paused): the events with an ack
    /// relayed to it so far never reach a handler. They are answered now with a <c>BACKEND_LOST</c>
    /// error ack (counted in <see cref="DistributorStatistics.AcksFailed"/>) and
    /// <paramref name="reattach"/> sends the recovery CONNECT, both under this socket's lock, so that every
    /// event relayed afterwards follows the CONNECT and is handled. A report within <paramref name="settle"/>
    /// of the one acted on may describe packets sent before that CONNECT (the backend batches its
    /// reports): it fails only the events relayed before the CONNECT (ack ids up to the one last relayed
    /// then; client ack ids grow) and sends no second CONNECT (returns false).
    /// </summary>
    /// <returns>True if the socket was re-attached.</returns>
    public bool OnUnknownTo(string backendId, TimeProvider time, TimeSpan settle, Action reattach)
    {
        lock (_relayGate)
        {
            var now = time.GetTimestamp();
            if (_unknownActedAt != 0 && time.GetElapsedTime(_unknownActedAt, now) < settle)
            {
                FailAcksLocked(backendId, _ackIdAtReattach);
                return false;
            }

            _unknownActedAt = now;
            FailAcksLocked(backendId);
            _ackIdAtReattach = _lastAckId;
            reattach();
            return true;
        }
    }

    private void FailAcksLocked(string? backendId, long upToAckId = long.MaxValue)
    {
        if (_pendingAcks is not { Count: > 0 } pendingAcks)
        {
            return;
        }

        var lost = pendingAcks.Where(p => (backendId is null || p.Value == backendId) && p.Key <= upToAckId).Select(p => p.Key).ToList();
        if (lost.Count == 0)
        {
            return;
        }

        // Counted before the client can see the answer, so the counts never lag behind what clients saw.
        Owner.OnAcksFailed(lost.Count, backendId ?? BackendId);
        foreach (var ackId in lost)
        {
            pendingAcks.Remove(ackId);
            Socket.SendPacket(SocketPacketType.Ack, ackId, BackendLostAck);
        }
    }

    private void SendLocked(Outbound outbound)
    {
        outbound.BackendId = BackendId;
        outbound.Socket = this;
        var sent = Owner.Inboxes.Publish(
            BackendId,
            sequence => (outbound.Packet with { ChannelSequence = sequence }).Encode(),
            eventWithoutAck: outbound.IsEvent && outbound.AckId < 0);
        if (!Owner.TrustReceiverCounts)
        {
            return;
        }

        var unconfirmed = _unconfirmed ??= new LinkedList<Outbound>();
        if (unconfirmed.Count < MaxUnconfirmed)
        {
            outbound.Node = unconfirmed.AddLast(outbound);
        }

        // Acted on outside this lock (a dead backend moves other sockets too).
        BackendInboxes.WhenPublished(sent, static (outbound, receivers) => outbound.Socket!.OnPublished(outbound, receivers), outbound);
    }

    private void OnPublished(Outbound outbound, long receivers)
    {
        if (receivers == 0)
        {
            bool pending;
            bool kept;
            lock (_relayGate)
            {
                pending = outbound.State == OutboundState.Pending;
                kept = outbound.Node is not null;
            }

            if (pending)
            {
                // Nobody listens on that inbox: the backend is dead (or left). Moves this socket, and
                // every other one it served, and re-sends what it did not receive.
                Owner.OnBackendUnreachable(outbound.BackendId);
                if (!kept && outbound.IsEvent && outbound.AckId < 0)
                {
                    // Beyond MaxUnconfirmed it was not kept for a re-send (one with an ack gets an error ack).
                    Owner.OnNotResent();
                }
            }

            return;
        }

        lock (_relayGate)
        {
            outbound.State = OutboundState.Confirmed;
            if (outbound.Node is not null)
            {
                _unconfirmed!.Remove(outbound.Node);
                outbound.Node = null;
            }

            if (receivers < 0 && outbound.AckId >= 0 && _pendingAcks?.Remove(outbound.AckId) == true)
            {
                // Not published at all (no Redis connection): the backend will never answer it.
                Socket.SendPacket(SocketPacketType.Ack, outbound.AckId, BackendLostAck);
                Owner.OnAcksFailed(1, outbound.BackendId);
            }
        }
    }

    private enum OutboundState
    {
        Pending,
        Confirmed,
        Resent,
    }

    /// <summary>A packet relayed to a backend, until Redis confirms a receiver.</summary>
    private sealed class Outbound(ClientPacket packet, long ackId, bool isEvent)
    {
        public ClientPacket Packet { get; } = packet;

        public long AckId { get; } = ackId;

        public bool IsEvent { get; } = isEvent;

        public string BackendId { get; set; } = string.Empty;

        public OutboundState State { get; set; }

        public LinkedListNode<Outbound>? Node { get; set; }

        public RelaySocket? Socket { get; set; }
    }
}
