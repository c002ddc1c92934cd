using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Broadcasts with acknowledgements this socket was sent and has not answered: the client's ACK with
/// that id goes to the broadcasting backend. Bounded per socket, and forgotten after the broadcast's timeout.
/// </summary>
internal sealed partial class RelaySocket
{
    /// <summary>The most broadcast acks one socket may owe at once; beyond, the oldest is forgotten.</summary>
    internal const int MaxBroadcastAcks = 256;

    private readonly object _broadcastAckGate = new();
    private Dictionary<long, BroadcastAckRequest>? _broadcastAcks;

    /// <summary>The client will be asked, with the broadcast's ack id, to answer <paramref name="broadcast"/>.</summary>
    public void ExpectBroadcastAck(Broadcast broadcast, long now)
    {
        var expiresAt = now + (long)(broadcast.AckTimeoutMs * (double)Owner.TimestampFrequency / 1000);
        lock (_broadcastAckGate)
        {
            var acks = _broadcastAcks ??= [];
            if (acks.Count >= MaxBroadcastAcks)
            {
                ForgetExpired(acks, now);
                if (acks.Count >= MaxBroadcastAcks)
                {
                    acks.Remove(acks.MinBy(a => a.Value.ExpiresAt).Key);
                }
            }

            acks[(long)broadcast.AckId] = new BroadcastAckRequest(broadcast.AckRequestId, broadcast.ReplyChannel, expiresAt);
        }
    }

    /// <summary>True if the client's ACK <paramref name="ackId"/> answers a broadcast: then it is that broadcast's.</summary>
    public bool TryTakeBroadcastAck(long ackId, out BroadcastAckRequest request)
    {
        lock (_broadcastAckGate)
        {
            if (_broadcastAcks is not null && _broadcastAcks.Remove(ackId, out request))
            {
                if (_broadcastAcks.Count == 0)
                {
                    _broadcastAcks = null;
                }

                return true;
            }
        }

        request = default;
        return false;
    }

    private static void ForgetExpired(Dictionary<long, BroadcastAckRequest> acks, long now)
    {
        foreach (var (id, request) in acks)
        {
            if (request.ExpiresAt < now)
            {
                acks.Remove(id);
            }
        }
    }
}

/// <summary>Where a client's answer to a broadcast goes.</summary>
/// <param name="RequestId">The broadcast's request id.</param>
/// <param name="ReplyChannel">The broadcasting backend's inbox.</param>
/// <param name="ExpiresAt">When the backend stops waiting (a <see cref="TimeProvider"/> timestamp).</param>
internal readonly record struct BroadcastAckRequest(ulong RequestId, string ReplyChannel, long ExpiresAt);
