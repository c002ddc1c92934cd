using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Backend;

/// <summary>Packets from the client, and acknowledgements in both directions.</summary>
public sealed partial class BackendSocket
{
    /// <summary>
    /// Emits an event and waits for the client's acknowledgement (socket.io's <c>emitWithAck</c>).
    /// </summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="timeout">How long to wait; <see cref="BackendOptions.AckTimeout"/> by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The arguments the client acknowledged with.</returns>
    /// <exception cref="TimeoutException">The client did not answer in time.</exception>
    /// <exception cref="InvalidOperationException">The socket disconnected, or already awaits too many acknowledgements.</exception>
    public async Task<SocketArguments> EmitWithAckAsync(string ev, object?[] args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var payload = _backend.Codec.EncodeEvent(ev, args);
        var wait = timeout ?? _backend.Options.AckTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        var (id, answer) = _acks.Register(Id, wait, cancellationToken);
        Router.SendToSocket(DistributorId, Id, EmitFlags.None, payload.EventFrames(Namespace.Name, id));
        return await answer.ConfigureAwait(false);
    }

    /// <summary>Answers the client's callback <paramref name="ackId"/>.</summary>
    internal void SendAck(long ackId, object?[]? args)
    {
        var frames = _backend.Codec.EncodeArguments(args).AckFrames(Namespace.Name, ackId);
        Router.SendToSocket(DistributorId, Id, EmitFlags.None, frames);
    }

    /// <summary>
    /// A packet from the client: events and acknowledgements go through the socket's queue, in order;
    /// an acknowledgement resumes the handler awaiting <see cref="EmitWithAckAsync"/> (handlers do not
    /// hold the queue while they await, so this cannot deadlock).
    /// </summary>
    internal void OnClientPacket(ClientPacket message)
    {
        var error = SocketPacketParser.Parse(message.Packet, out var packet);
        if (error != DecodeError.None)
        {
            BackendLog.BadPacket(_backend.Logger, Id, error.ToString());
            return;
        }

        if (!packet.Namespace.Span.SequenceEqual(Namespace.NameUtf8.Span))
        {
            BackendLog.BadPacket(_backend.Logger, Id, $"namespace {packet.NamespaceName} instead of {Namespace.Name}");
            return;
        }

        if (packet.IsBinaryType && packet.Attachments != message.Attachments.Count)
        {
            BackendLog.BadPacket(_backend.Logger, Id, $"{message.Attachments.Count} attachments where the packet announces {packet.Attachments}");
            return;
        }

        BackendMetrics.EventsIn.Add(1);
        switch (packet.Type)
        {
            case SocketPacketType.Event or SocketPacketType.BinaryEvent:
                QueueEvent(packet, message.Attachments);
                break;
            case SocketPacketType.Ack or SocketPacketType.BinaryAck:
                var arguments = new SocketArguments(packet.Data, message.Attachments, _backend.Codec);
                var ackId = packet.AckId;
                Enqueue(
                    () =>
                    {
                        if (!_acks.Complete(ackId, arguments))
                        {
                            BackendLog.UnknownAck(_backend.Logger, ackId, Id);
                        }

                        return Task.CompletedTask;
                    },
                    force: true);
                break;
            default:
                BackendLog.BadPacket(_backend.Logger, Id, $"unexpected {packet.Type} packet");
                break;
        }
    }

    private void QueueEvent(SocketPacket packet, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        if (!EventPayload.TrySplit(packet.Data, out var name, out var json))
        {
            BackendLog.BadPacket(_backend.Logger, Id, "an event without a name");
            return;
        }

        var e = new SocketEvent(this, name, new SocketArguments(json, attachments, _backend.Codec), packet.AckId);
        if (!Enqueue(() => DispatchAsync(e)))
        {
            BackendMetrics.EventsDropped.Add(1);
            BackendLog.QueueFull(_backend.Logger, Id, _queue.Capacity);
            Disconnect();
        }
    }
}
