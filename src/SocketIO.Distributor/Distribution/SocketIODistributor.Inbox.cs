using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>Handling of the bus messages a distributor receives.</summary>
public sealed partial class SocketIODistributor
{
    /// <summary>This distributor's own channel: connect results, emits to its sockets, socket commands.</summary>
    private void OnInboxMessage(ReadOnlyMemory<byte> bytes)
    {
        switch (Decode(bytes))
        {
            case SendToSocket send:
                Statistics.OnDirectMessage();
                CountGap(send.SenderId, Bus.Channels.Distributor(Id), send.ChannelSequence);
                if (_sockets.TryGetValue(send.SocketId, out var target))
                {
                    if (send.AnswersAck > 0)
                    {
                        target.OnAckAnswered((long)(send.AnswersAck - 1));
                    }

                    var frames = send.Frames as Protocol.EngineIO.EngineFrame[] ?? [.. send.Frames];
                    Protocol.EngineIO.EngineFrame[]? stripped = null;
                    target.Deliver((send.Flags & EmitFlags.Recoverable) != 0 ? target.ForClient(frames, ref stripped) : frames, (send.Flags & EmitFlags.Volatile) != 0);
                }
                else
                {
                    ForwardToMovedSocket(send);
                }

                break;
            case Broadcast broadcast:
                // A broadcast that targets sockets of this distributor by id (mixed with rooms or not).
                CountGap(broadcast.OriginId, Bus.Channels.Distributor(Id), broadcast.ChannelSequence);
                if (_namespaces.TryGetValue(broadcast.Namespace, out var relayNamespace))
                {
                    relayNamespace.OnBroadcast(broadcast);
                }

                break;
            case SocketDataChanged data:
                if (_sockets.TryGetValue(data.SocketId, out var holder))
                {
                    holder.DataJson = data.DataJson.ToArray();
                }

                break;
            case ConnectResult result:
                OnConnectResult(result);
                break;
            case InboxProgress progress:
                Inboxes.OnProgress(progress);
                break;
            case BackendDrained drained:
                OnBackendDrained(drained);
                break;
            case SocketCommand command:
                Statistics.OnCommand();
                _ = OnSocketCommandAsync(command);
                break;
            case SocketsUnknown unknown:
                OnSocketsUnknown(unknown);
                break;
            case null:
                break;
            case var other:
                Log.UnexpectedMessage(Logger, other.GetType().Name, "inbox");
                break;
        }
    }

    /// <summary>A namespace's channel or one of its room channels.</summary>
    internal void OnNamespaceMessage(RelayNamespace relay, string channel, ReadOnlyMemory<byte> bytes)
    {
        switch (Decode(bytes))
        {
            case Broadcast broadcast:
                CountGap(broadcast.OriginId, channel, broadcast.ChannelSequence);
                relay.OnBroadcast(broadcast);
                break;
            case RemoteQuery query:
                _ = AnswerAsync(relay, query);
                break;
            case null:
                break;
            case var other:
                Log.UnexpectedMessage(Logger, other.GetType().Name, relay.Name);
                break;
        }
    }

    private void OnAllMessage(ReadOnlyMemory<byte> bytes)
    {
        switch (Decode(bytes))
        {
            case MemberLeaving leaving when leaving.MemberId != Id:
                // Marked as draining first (a refresh running meanwhile on the heartbeat loop then reads its
                // absence as a departure, not a death), out of the view next (no new socket picks it), then
                // its sockets move (on MemberDown if it was in the view, else here: once either way).
                var known = Membership.Find(leaving.MemberId);
                if (leaving.Kind == MemberKind.Backend)
                {
                    MarkLeaving(leaving.MemberId);
                }

                Membership.OnMemberLeaving(leaving);
                if (leaving.Kind == MemberKind.Backend)
                {
                    OnBackendLeaving(leaving.MemberId, known?.AwaitsDepartureSeen ?? true);
                }

                break;
            case CustomMessage custom:
                CustomMessageReceived?.Invoke(custom);
                break;
            case ReconcileRequest request:
                SendInventory(request.BackendId);
                break;
        }
    }

    private void OnConnectResult(ConnectResult result)
    {
        var known = _sockets.TryGetValue(result.SocketId, out var relay);
        if (known && result.BackendId.Length > 0 && result.BackendId != relay!.BackendId)
        {
            // From a backend this socket moved away from before it answered (it left or died): the socket's
            // new backend answers; an acceptance here is undone so that backend does not keep a ghost.
            if (result.Accepted)
            {
                UndoAcceptance(result);
            }

            return;
        }

        var waiting = _pendingConnects.TryRemove(result.SocketId, out var answer);
        if (known)
        {
            if (!waiting)
            {
                RelayNamespace.OnRecoveryResult(relay!, result);
                return;
            }

            // Accept here, on the ordered inbox, so a broadcast the backend sends from its connection
            // handler already counts this socket in (it is buffered until CONNECT is written).
            if (result.Accepted)
            {
                relay!.BackendId = result.BackendId;
                relay.AcceptedAt = Time.GetTimestamp();
                relay.IsAccepted = true;
            }
        }
        else if (result.Accepted)
        {
            // The client left, or its wait timed out, before the answer: the backend must forget it.
            UndoAcceptance(result);
        }

        answer?.TrySetResult(result);
    }

    /// <summary>A backend accepted a socket that is not (or no longer) there for it: it must forget the socket, in order with what else this distributor sent it.</summary>
    private void UndoAcceptance(ConnectResult result) =>
        Inboxes.PublishInOrder(result.BackendId, () => new SocketDisconnected(result.SocketId, "transport close").Encode());

    private async Task OnSocketCommandAsync(SocketCommand command)
    {
        if (_sockets.TryGetValue(command.SocketId, out var relay) && _namespaces.TryGetValue(relay.Socket.Namespace, out var nsp))
        {
            switch (command.Kind)
            {
                case SocketCommandKind.Join:
                    await nsp.Rooms.JoinAsync(relay, command.Rooms);
                    nsp.TellRoomsChanged(relay, joined: true, command.Rooms, command.ReplyChannel);
                    break;
                case SocketCommandKind.Leave:
                    nsp.Rooms.Leave(relay, command.Rooms);
                    nsp.TellRoomsChanged(relay, joined: false, command.Rooms, command.ReplyChannel);
                    break;
                case SocketCommandKind.Disconnect:
                    relay.RequestDisconnect(command.Close);
                    break;
            }
        }

        if (command.RequestId != 0 && command.ReplyChannel.Length > 0)
        {
            Bus.Publish(command.ReplyChannel, new CommandAck(command.RequestId, Id).Encode());
        }
    }

    private async Task AnswerAsync(RelayNamespace relay, RemoteQuery query)
    {
        try
        {
            await relay.OnRemoteQueryAsync(query);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or InvalidOperationException)
        {
            DistributorMetrics.RelayErrors.Add(1);
            Log.QueryFailed(Logger, ex, relay.Name);
        }
    }

    /// <summary>Counts messages from <paramref name="sender"/> that Redis dropped on <paramref name="channel"/>.</summary>
    private void CountGap(string sender, string channel, ulong sequence)
    {
        var missing = _gaps.Observe(sender, channel, sequence);
        if (missing > 0)
        {
            Statistics.OnMessagesLost((long)missing);
            DistributorMetrics.MessagesLost.Add((long)missing);
            Log.MessagesLost(Logger, (long)missing, sender, channel);
        }
    }

    private IBusMessage? Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return BusMessage.Decode(bytes);
        }
        catch (BusFormatException ex)
        {
            DistributorMetrics.RelayErrors.Add(1);
            Log.BadMessage(Logger, ex);
            return null;
        }
    }
}
