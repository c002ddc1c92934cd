using System.Collections.Concurrent;
using SocketIO.Distributor.Protocol.SocketIO;
using SocketIO.Distributor.SocketIO;

namespace SocketIOEcho;

/// <summary>
/// The echo behaviour of the socket.io-protocol test suite: on connection emit <c>auth</c> with the
/// handshake auth; <c>message</c> is emitted back as <c>message-back</c>; <c>message-with-ack</c> is
/// acknowledged with its own arguments. Extension: <c>request-server-ack</c> makes the server emit
/// <c>server-ack-me</c> with an acknowledgement, whose arguments come back as <c>server-ack-received</c>.
/// </summary>
internal sealed class EchoNamespace : INamespaceHandler
{
    public ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ConnectDecision.Accept);

    public void OnConnected(ClientSocket socket)
    {
        socket.UserState = new PendingServerAcks();
        socket.SendPacket(SocketPacketType.Event, -1, EventPayload.Build("auth", [.. "["u8, .. socket.Auth.Span, .. "]"u8]));
    }

    public void OnMessage(ClientSocket socket, InboundMessage message)
    {
        var packet = message.Packet;
        if (message.IsAck)
        {
            if (((PendingServerAcks)socket.UserState!).TryRemove(packet.AckId, out _))
            {
                socket.SendPacket(SocketPacketType.Event, -1, EventPayload.Build("server-ack-received", packet.Data.Span), message.Attachments);
            }

            return;
        }

        if (!EventPayload.TrySplit(packet.Data, out var name, out var arguments))
        {
            return;
        }

        switch (name)
        {
            case "message":
                socket.SendPacket(SocketPacketType.Event, -1, EventPayload.Build("message-back", arguments.Span), message.Attachments);
                break;
            case "message-with-ack" when packet.HasAckId:
                socket.SendPacket(SocketPacketType.Ack, packet.AckId, arguments.Span, message.Attachments);
                break;
            case "request-server-ack":
                var ackId = ((PendingServerAcks)socket.UserState!).Next();
                socket.SendPacket(SocketPacketType.Event, ackId, EventPayload.Build("server-ack-me", arguments.Span), message.Attachments);
                break;
        }
    }

    public void OnDisconnect(ClientSocket socket, string reason)
    {
    }

    /// <summary>The acknowledgements this server asked one socket for.</summary>
    private sealed class PendingServerAcks : ConcurrentDictionary<long, bool>
    {
        private long _next;

        public long Next()
        {
            var id = Interlocked.Increment(ref _next) - 1;
            TryAdd(id, true);
            return id;
        }
    }
}
