using System.Text.Json;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>What the backend does with the messages it receives.</summary>
public sealed partial class SocketIOBackend
{
    private void OnInboxMessage(ReadOnlyMemory<byte> bytes)
    {
        var router = _router;
        if (router is null || !TryDecode(bytes, router.Inbox, out var message))
        {
            return;
        }

        switch (message)
        {
            case ConnectRequest request:
                _distributorsHeard.TryAdd(request.DistributorId, 0);
                var connected = Track(request.DistributorId, request.ChannelSequence);
                OnConnectRequest(request);
                connected?.Invoke();
                break;
            case ClientPacket packet when _sockets.TryGetValue(packet.SocketId, out var socket) && !socket.IsLeaving:
                var handled = Track(packet.SenderId, packet.ChannelSequence);
                socket.OnClientPacket(packet);
                HandledAfter(socket, handled);
                break;
            case ClientPacket packet:
                Track(packet.SenderId, packet.ChannelSequence)?.Invoke();
                OnPacketForUnknownSocket(packet.SocketId);
                break;
            case SocketInventory inventory:
                OnSocketInventory(inventory);
                break;
            case SocketDisconnected disconnected when _sockets.TryGetValue(disconnected.SocketId, out var socket) && disconnected.SenderId.Length > 0 && disconnected.SenderId != socket.DistributorId:
                // The socket was recovered on another distributor: its old connection's end changes nothing.
                Track(disconnected.SenderId, disconnected.ChannelSequence)?.Invoke();
                break;
            case SocketDisconnected disconnected when _sockets.TryGetValue(disconnected.SocketId, out var socket):
                Track(disconnected.SenderId, disconnected.ChannelSequence)?.Invoke();
                socket.EnqueueDisconnect(disconnected.Reason);
                break;
            case SocketDisconnected disconnected:
                Track(disconnected.SenderId, disconnected.ChannelSequence)?.Invoke();
                BackendLog.UnknownSocket(_logger, disconnected.SocketId);
                break;
            case InboxProbe:
                break;
            case DepartureSeen seen:
                OnDepartureSeen(seen);
                break;
            case CommandAck ack:
                router.OnCommandAck(ack);
                break;
            case RemoteReply reply:
                // Rooms first: the query's caller may look at them as soon as the reply completes it.
                SyncRooms(reply);
                router.OnRemoteReply(reply);
                break;
            case BroadcastAckCount or BroadcastAckAnswer or ServerSideEmit or ServerSideReply or RoomsChanged:
                OnApiMessage(router, message);
                break;
            default:
                BackendLog.UnexpectedBusMessage(_logger, message.GetType().Name, router.Inbox);
                break;
        }
    }

    private void OnAllMessage(ReadOnlyMemory<byte> bytes)
    {
        var router = _router;
        if (router is null || !TryDecode(bytes, router.Channels.All, out var message))
        {
            return;
        }

        switch (message)
        {
            case CustomMessage custom when custom.SenderId != Id:
                // Off the pipeline loop (a blocking handler must not hold up the sockets), in order.
                if (!CustomHandlers.TryEnqueue(() =>
                {
                    RaiseCustomMessage(custom);
                    return Task.CompletedTask;
                }))
                {
                    BackendMetrics.InboxOverflows.Add(1);
                    BackendLog.CustomQueueFull(_logger, custom.Name, Statistics.OnInboxOverflow());
                }

                break;
            case MemberLeaving leaving when leaving.MemberId != Id:
                _membership?.OnMemberLeaving(leaving);
                break;
            default:
                break;
        }
    }

    private void OnConnectRequest(ConnectRequest request, bool recover = true)
    {
        if ((recover && TryRecover(request)) || TryAnswerKnownSocket(request))
        {
            return;
        }

        SocketHandshake handshake;
        try
        {
            handshake = SocketHandshake.Parse(request.HandshakeJson);
        }
        catch (JsonException ex)
        {
            BackendLog.BadHandshake(_logger, ex, request.Namespace, request.DistributorId);
            RejectConnect(request.DistributorId, request.SocketId, request.Namespace, "Invalid handshake", null);
            return;
        }

        if ((!_namespaces.TryGetValue(request.Namespace, out var nsp) && (nsp = TryCreateChild(request.Namespace, handshake.Auth)) is null) || nsp.IsClosed)
        {
            RejectConnect(request.DistributorId, request.SocketId, request.Namespace, "Invalid namespace", null);
            return;
        }

        var socket = new BackendSocket(this, nsp, request.SocketId, request.DistributorId, handshake, request.Recovered);
        if (!_sockets.TryAdd(socket.Id, socket))
        {
            BackendLog.DuplicateSocket(_logger, socket.Id);
            return;
        }

        socket.Enqueue(() => nsp.ConnectAsync(socket), force: true);
    }

    /// <summary>Answers a connect request with a CONNECT_ERROR (<c>{"message":...,"code":...,"data":...}</c>).</summary>
    internal void RejectConnect(string distributorId, string socketId, string nsp, string message, object? data, string? code = null)
    {
        BackendMetrics.ConnectRejects.Add(1);
        BackendLog.SocketRejected(_logger, socketId, nsp, message);
        Router.Publish(
            Router.Channels.Distributor(distributorId),
            new ConnectResult(socketId, Id, false, Codec.ConnectError(message, data, code)));
    }

    /// <summary>
    /// True if <paramref name="distributorId"/> is a live distributor: in the members view, or heard from
    /// (a CONNECT it sent) since it was last declared down. The members view lags a distributor's start by up
    /// to a heartbeat; a socket that connected through it proves it is there.
    /// </summary>
    internal bool IsLiveDistributor(string distributorId) =>
        _distributorsHeard.ContainsKey(distributorId) || Membership.IsLive(distributorId);

    private void OnMemberDown(MemberInfo member)
    {
        if (member.Kind != MemberKind.Distributor)
        {
            return;
        }

        _progress.Forget(member.Id);
        _distributorsHeard.TryRemove(member.Id, out _);

        var orphans = _sockets.Values.Where(s => s.DistributorId == member.Id).ToList();
        if (orphans.Count > 0)
        {
            BackendLog.DistributorDown(_logger, member.Id, orphans.Count);
        }

        foreach (var socket in orphans)
        {
            socket.EnqueueDisconnect("transport close");
        }
    }

    /// <summary>
    /// Sockets of a distributor that is not alive, and that were known before the view was read,
    /// are gone: this also catches a distributor that lived and died between two refreshes.
    /// </summary>
    private void OnMembershipRefreshed(IReadOnlyCollection<MemberInfo> live, long readStartedAt)
    {
        var distributors = live.Where(m => m.Kind == MemberKind.Distributor).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var orphans = _sockets.Values.Where(s => s.ConnectedAt < readStartedAt && !distributors.Contains(s.DistributorId)).ToList();
        foreach (var group in orphans.GroupBy(s => s.DistributorId))
        {
            BackendLog.DistributorDown(_logger, group.Key, group.Count());
            foreach (var socket in group)
            {
                socket.EnqueueDisconnect("transport close");
            }
        }
    }

    private void SyncRooms(RemoteReply reply)
    {
        foreach (var info in reply.Sockets)
        {
            if (_sockets.TryGetValue(info.SocketId, out var socket) && socket.DistributorId == reply.DistributorId)
            {
                socket.ReplaceRooms(info.Rooms);
            }
        }
    }

    private void RaiseCustomMessage(CustomMessage custom)
    {
        var handlers = CustomMessageReceived;
        if (handlers is null)
        {
            return;
        }

        CustomMessageEventArgs args;
        try
        {
            var payload = custom.PayloadJson.IsEmpty
                ? default
                : JsonSerializer.Deserialize<JsonElement>(custom.PayloadJson.Span);
            args = new CustomMessageEventArgs(custom.SenderId, custom.Name, payload);
        }
        catch (JsonException ex)
        {
            BackendLog.BadBusMessage(_logger, ex, Router.Channels.All);
            return;
        }

        // Each handler on its own: one that throws must not keep the message from the others.
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<CustomMessageEventArgs>>())
        {
            try
            {
                handler(this, args);
            }
            catch (Exception ex)
            {
                BackendMetrics.HandlerErrors.Add(1);
                BackendLog.CustomHandlerFailed(_logger, ex, custom.Name);
            }
        }
    }

    private bool TryDecode(ReadOnlyMemory<byte> bytes, string channel, out IBusMessage message)
    {
        try
        {
            message = BusMessage.Decode(bytes);
            return true;
        }
        catch (BusFormatException ex)
        {
            BackendLog.BadBusMessage(_logger, ex, channel);
            message = null!;
            return false;
        }
    }
}
