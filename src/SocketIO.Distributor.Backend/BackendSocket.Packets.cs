using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Backend;

/// <summary>Packets from the client, and acknowledgements in both directions.</summary>
public sealed partial class BackendSocket
{
    /// <summary>The error ack of an event refused because the socket's handler queue is full.</summary>
    internal static readonly RefusalReason SocketBusy = new("socket busy: too many events waiting for its handlers", "SOCKET_BUSY");

    /// <summary>The error ack of an event refused because the backend's inbox is full.</summary>
    internal static readonly RefusalReason BackendOverloaded = new("backend overloaded", "BACKEND_OVERLOADED");

    /// <summary>True when none of the socket's work waits or runs (async handlers included).</summary>
    internal bool IsIdle => _queue.IsIdle && System.Threading.Volatile.Read(ref _inFlight) == 0;

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
        var (id, answer) = Acks.Register(Id, wait, cancellationToken);
        Router.SendToSocket(DistributorId, Id, EmitFlags.None, payload.EventFrames(Namespace.Name, id));
        return await answer.ConfigureAwait(false);
    }

    /// <summary>Answers the client's callback <paramref name="ackId"/>.</summary>
    internal void SendAck(long ackId, object?[]? args)
    {
        var frames = _backend.Codec.EncodeArguments(args).AckFrames(Namespace.Name, ackId);
        Router.SendToSocket(DistributorId, Id, EmitFlags.None, frames, answersAck: (ulong)ackId + 1);
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
                        if (_acks?.Complete(ackId, arguments) != true)
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
            // Policy: the event is refused (an error ack when the client waits for one), counted, and
            // the socket, whose handlers fell this far behind, is disconnected.
            BackendMetrics.EventsDropped.Add(1);
            _backend.Statistics.OnEventRefused();
            BackendLog.QueueFull(_backend.Logger, Id, _queue.Capacity);
            RefuseEvent(packet.AckId, SocketBusy);
            Disconnect();
        }
    }

    /// <summary>
    /// Answers a client event that will not be handled with an error ack
    /// (<c>[{"message":...,"code":...}]</c>), when the client waits for one.
    /// </summary>
    internal void RefuseEvent(long ackId, RefusalReason reason)
    {
        if (ackId >= 0)
        {
            SendAck(ackId, [reason.ToJson()]);
        }
    }
}

/// <summary>The error ack (<c>{"message":...,"code":...}</c>) of a client event the backend will not handle.</summary>
/// <param name="Message">What happened.</param>
/// <param name="Code">A stable code for programs.</param>
internal sealed record RefusalReason(string Message, string Code)
{
    /// <summary>The ack argument; a dictionary, so that the keys stay as written whatever the JSON naming policy.</summary>
    public Dictionary<string, string> ToJson() => new(StringComparer.Ordinal) { ["message"] = Message, ["code"] = Code };
}
