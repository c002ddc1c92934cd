using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Backend;

/// <summary>Inbox messages of the server-side API: broadcast acknowledgements and events between backends.</summary>
public sealed partial class SocketIOBackend
{
    /// <summary>
    /// The live members of the cluster as this backend sees them (refreshed by heartbeats): the distributors a
    /// broadcast with acks waits for, and the replicas a server-side emit reaches.
    /// </summary>
    public IReadOnlyCollection<MemberInfo> Members => Membership.Live;

    private void OnApiMessage(BackendRouter router, IBusMessage message)
    {
        switch (message)
        {
            case BroadcastAckCount count:
                router.OnBroadcastAckCount(count);
                break;
            case BroadcastAckAnswer answer:
                OnBroadcastAckAnswer(router, answer);
                break;
            case ServerSideEmit emit when emit.OriginId != Id && _namespaces.TryGetValue(emit.Namespace, out var nsp):
                // Off the pipeline loop (a slow handler must not hold up the sockets), in order.
                if (!CustomHandlers.TryEnqueue(() => nsp.OnServerSideEmitAsync(emit)))
                {
                    BackendMetrics.InboxOverflows.Add(1);
                    BackendLog.CustomQueueFull(_logger, emit.Event, Statistics.OnInboxOverflow());
                }

                break;
            case ServerSideReply reply:
                router.OnServerSideReply(reply, new SocketArguments(reply.ArgumentsJson, [], Codec));
                break;
            case RoomsChanged changed when _sockets.TryGetValue(changed.SocketId, out var socket):
                socket.ApplyRoomsChanged(changed.Joined, changed.Rooms);
                break;
        }
    }

    private void OnBroadcastAckAnswer(BackendRouter router, BroadcastAckAnswer answer)
    {
        var error = SocketPacketParser.Parse(answer.Packet, out var packet);
        if (error != DecodeError.None || packet.Type is not (SocketPacketType.Ack or SocketPacketType.BinaryAck))
        {
            BackendLog.BadPacket(_logger, answer.SocketId, error == DecodeError.None ? $"unexpected {packet.Type} as a broadcast ack" : error.ToString());
            return;
        }

        router.OnBroadcastAckAnswer(answer.RequestId, new SocketArguments(packet.Data, answer.Attachments, Codec));
    }
}
