using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Serves one namespace by relaying it to its backends: a CONNECT is decided by a live backend,
/// client events and acks go to the socket's backend as the bytes the client sent, and the
/// backend's emits come back as frames written unchanged to the matching local sockets.
/// </summary>
internal sealed partial class RelayNamespace : INamespaceHandler
{
    private readonly SocketIODistributor _distributor;
    private readonly ConcurrentDictionary<string, RelaySocket> _sockets = new(StringComparer.Ordinal);
    private readonly RecentBroadcasts _recent = new();
    private readonly KeyValuePair<string, object?> _tag;

    public RelayNamespace(SocketIODistributor distributor, string name)
    {
        _distributor = distributor;
        Name = name;
        _tag = new KeyValuePair<string, object?>("namespace", name);
        Rooms = new RoomIndex(name, distributor.Bus, OnRoomMessage, distributor.Logger);
    }

    public string Name { get; }

    public RoomIndex Rooms { get; }

    /// <summary>Accepted sockets of this namespace here.</summary>
    public int SocketCount => _sockets.Values.Count(s => s.IsAccepted);

    private DistributorOptions Options => _distributor.Options;

    private ILogger Logger => _distributor.Logger;

    public async ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken)
    {
        foreach (var middleware in Options.Middleware)
        {
            if (await middleware(socket) is { IsAccepted: false } refused)
            {
                DistributorMetrics.ConnectsRefused.Add(1);
                return refused;
            }
        }

        if (_distributor.RefuseConnectForOutage(socket.Session))
        {
            DistributorMetrics.ConnectsRefused.Add(1);
            return ConnectDecision.Reject("Redis is unreachable");
        }

        return await ConnectToBackendAsync(socket, cancellationToken);
    }

    /// <summary>Asks a backend to accept the socket (the one holding its session when it recovers); once more, as a new socket with a new id, when its recovery is refused.</summary>
    private async ValueTask<ConnectDecision> ConnectToBackendAsync(ClientSocket socket, CancellationToken cancellationToken)
    {
        var backend = SessionBackend(socket) ?? PickBackend(exclude: null);
        if (backend is null)
        {
            // The view may be a heartbeat behind (a backend that just started): look again once.
            await _distributor.Membership.RefreshAsync();
            backend = PickBackend(exclude: null);
        }

        if (backend is null)
        {
            DistributorMetrics.ConnectsRefused.Add(1);
            Log.NoBackend(Logger, Name, socket.Id);
            return ConnectDecision.Reject($"No backend is serving namespace {Name}");
        }

        var extra = Options.OnClientConnect is null ? null : await Options.OnClientConnect(socket);
        var relay = new RelaySocket(socket, HandshakeJson.Build(socket, Options.ForwardedHeaders, extra), Options.MaxBufferedBeforeConnect)
        {
            BackendId = backend.Id,
            Owner = this,
        };
        socket.UserState = relay;
        _sockets[socket.Id] = relay;
        _distributor.Register(relay);
        var answer = _distributor.ExpectConnectResult(socket.Id);
        _distributor.Statistics.OnConnectRequest();
        if (_distributor.IsLeaving(relay.BackendId) && PickBackend(exclude: relay.BackendId) is { } other)
        {
            // Its backend announced its departure while the connect hook ran (its sockets here moved without this one).
            relay.BackendId = other.Id;
        }

        SendConnectRequest(relay, relay.BackendId, recovered: false);
        ConnectResult result;
        try
        {
            result = await answer.WaitAsync(Options.BackendConnectTimeout, _distributor.Time, cancellationToken);
        }
        catch (TimeoutException)
        {
            Forget(relay);
            DistributorMetrics.ConnectsRefused.Add(1);
            Log.BackendTimeout(Logger, Name, backend.Id, socket.Id);
            return ConnectDecision.Reject($"The backend of namespace {Name} did not answer in time");
        }
        catch (OperationCanceledException)
        {
            Forget(relay);
            throw;
        }
        finally
        {
            _distributor.ForgetConnectResult(socket.Id);
        }

        if (!result.Accepted)
        {
            Forget(relay);
            if (result.RenewId && RenewRefusedRecovery(socket))
            {
                return await ConnectToBackendAsync(socket, cancellationToken);
            }

            DistributorMetrics.ConnectsRefused.Add(1);
            return ConnectDecision.RejectWithJson(result.ErrorJson.ToArray());
        }

        // BackendId, AcceptedAt and IsAccepted were set when the result arrived (OnConnectResult).
        return result.Pid.Length == 0 ? ConnectDecision.Accept : await AcceptSessionAsync(relay, result);
    }

    public void OnConnected(ClientSocket socket)
    {
        DistributorMetrics.Sockets.Add(1, _tag);
        ((RelaySocket)socket.UserState!).MarkConnected();
    }

    public void OnMessage(ClientSocket socket, InboundMessage message)
    {
        var relay = (RelaySocket)socket.UserState!;
        DistributorMetrics.CountIn(message.Raw.Length);
        if (message.IsAck && relay.TryTakeBroadcastAck(message.Packet.AckId, out var request))
        {
            // The answer to a broadcast with acks goes to the backend that broadcast it, not to the socket's own.
            _distributor.Bus.Publish(request.ReplyChannel, new BroadcastAckAnswer(request.RequestId, socket.Id, message.Raw, message.Attachments).Encode());
            return;
        }

        _distributor.Statistics.OnPacketRelayed();
        relay.Relay(new ClientPacket(socket.Id, message.Raw, message.Attachments, _distributor.Id), message.IsEvent, message.Packet.AckId);
    }

    public void OnDisconnect(ClientSocket socket, string reason)
    {
        if (socket.UserState is not RelaySocket relay)
        {
            return;
        }

        Forget(relay);
        if (relay.IsAccepted)
        {
            DistributorMetrics.Sockets.Add(-1, _tag);
            var disconnected = new SocketDisconnected(socket.Id, reason, _distributor.Id);
            relay.Release(() => _ = Inboxes.Publish(relay.BackendId, sequence => (disconnected with { ChannelSequence = sequence }).Encode(), eventWithoutAck: false));
        }
        else
        {
            relay.Release(static () => { });
        }
    }

    /// <summary>A broadcast for the whole namespace or, via a room channel, for rooms.</summary>
    public void OnBroadcast(Broadcast broadcast)
    {
        if (broadcast.Rooms.Count > 1 && !_recent.TryAdd(broadcast.OriginId, broadcast.Sequence))
        {
            return;
        }

        _distributor.Statistics.OnBroadcast();
        var frames = broadcast.Frames as EngineFrame[] ?? [.. broadcast.Frames];
        var isVolatile = (broadcast.Flags & EmitFlags.Volatile) != 0;
        var recoverable = (broadcast.Flags & EmitFlags.Recoverable) != 0;
        EngineFrame[]? stripped = null;
        IEnumerable<RelaySocket> targets = broadcast.Rooms.Count == 0
            ? _sockets.Values
            : Rooms.MembersOfAny(broadcast.Rooms, FindSocket);
        var expectsAcks = broadcast.AckRequestId != 0;
        ulong delivered = 0;
        foreach (var target in targets)
        {
            // A socket whose CONNECT answer is still on its way gets what is sent to its id (held until
            // its CONNECT is written), as a SendToSocket would: recoverable emits to one socket come this way.
            if ((!target.IsAccepted && !broadcast.Rooms.Contains(target.Id)) || (broadcast.Except.Count > 0 && Rooms.IsInAny(target, broadcast.Except)))
            {
                continue;
            }

            if (expectsAcks)
            {
                target.ExpectBroadcastAck(broadcast, _distributor.Time.GetTimestamp());
                delivered++;
            }

            target.Deliver(recoverable ? target.ForClient(frames, ref stripped) : frames, isVolatile);
        }

        if (expectsAcks)
        {
            _distributor.Bus.Publish(broadcast.ReplyChannel, new BroadcastAckCount(broadcast.AckRequestId, _distributor.Id, delivered).Encode());
        }
    }

    /// <summary>Answers a backend's query about the sockets of this namespace here.</summary>
    public async Task OnRemoteQueryAsync(RemoteQuery query)
    {
        var matches = _sockets.Values
            .Where(s => s.IsAccepted
                && (query.Rooms.Count == 0 || Rooms.IsInAny(s, query.Rooms))
                && (query.Except.Count == 0 || !Rooms.IsInAny(s, query.Except)))
            .ToList();
        switch (query.Kind)
        {
            case SocketCommandKind.Join:
                await Task.WhenAll(matches.Select(s => Rooms.JoinAsync(s, query.TargetRooms)));
                matches.ForEach(s => TellRoomsChanged(s, joined: true, query.TargetRooms, requester: string.Empty));
                break;
            case SocketCommandKind.Leave:
                matches.ForEach(s => Rooms.Leave(s, query.TargetRooms));
                matches.ForEach(s => TellRoomsChanged(s, joined: false, query.TargetRooms, requester: string.Empty));
                break;
            case SocketCommandKind.Disconnect:
                matches.ForEach(s => s.RequestDisconnect(query.Close));
                break;
        }

        var sockets = query.Kind == SocketCommandKind.Fetch
            ? matches.Select(s => new RemoteSocketInfo(s.Id, Rooms.RoomsOf(s), s.HandshakeJson, s.DataJson)).ToList()
            : [];
        _distributor.Bus.Publish(query.ReplyChannel, new RemoteReply(query.RequestId, _distributor.Id, sockets).Encode());
    }

    /// <summary>A backend died: move its sockets to another live backend, or disconnect them when none is left.</summary>
    public void OnBackendDown(string backendId) =>
        _ = OnBackendLost(backendId, _distributor.IsLeaving(backendId) ? BackendLoss.Draining : BackendLoss.Dead);

    /// <summary>
    /// The members view was re-read: sockets accepted before the read whose backend is not alive lost
    /// it (this also catches a backend that lived and died between two refreshes). A backend that
    /// announced its departure is draining, not dead: what it holds is left to it to answer.
    /// </summary>
    public void OnMembershipRefreshed(HashSet<string> liveBackends, long readStartedAt)
    {
        foreach (var relay in _sockets.Values.Where(s => s.IsAccepted && s.AcceptedAt < readStartedAt && !liveBackends.Contains(s.BackendId)))
        {
            var lost = relay.BackendId;
            MoveToAnotherBackend(relay, lost, _distributor.IsLeaving(lost) ? BackendLoss.Draining : BackendLoss.Dead);
        }
    }

    /// <summary>
    /// The socket's backend died: ask another live one (a recovery CONNECT for an accepted socket, a
    /// plain one for a CONNECT still waiting), or, when none is left, disconnect the socket or refuse
    /// its CONNECT at once.
    /// </summary>
    private void MoveToAnotherBackend(RelaySocket relay, string deadBackendId, BackendLoss loss)
    {
        var moved = relay.RecoverFrom(
            deadBackendId,
            loss,
            () => PickBackend(exclude: deadBackendId)?.Id,
            next =>
            {
                if (relay.IsAccepted)
                {
                    relay.AcceptedAt = _distributor.Time.GetTimestamp();
                }

                SendConnectRequest(relay, next, recovered: relay.IsAccepted);
            });
        if (!moved)
        {
            if (relay.IsAccepted)
            {
                Log.SocketOrphaned(Logger, relay.Id, Name, deadBackendId);
                relay.RequestDisconnect(closeConnection: false);
            }
            else
            {
                _distributor.FailPendingConnect(relay.Id, $"No backend is serving namespace {Name}");
            }
        }
    }

    private void SendConnectRequest(RelaySocket relay, string backendId, bool recovered)
    {
        var request = new ConnectRequest(_distributor.Id, relay.Id, Name, recovered ? relay.HandshakeForMove(Rooms.RoomsOf(relay)) : relay.HandshakeJson, recovered);
        var sent = Inboxes.Publish(backendId, sequence => (request with { ChannelSequence = sequence }).Encode(), eventWithoutAck: false);
        if (TrustReceiverCounts)
        {
            BackendInboxes.WhenPublished(
                sent,
                static (state, receivers) =>
                {
                    if (receivers == 0)
                    {
                        state.Owner.OnBackendUnreachable(state.BackendId);
                    }
                },
                (Owner: this, BackendId: backendId));
        }
    }

    /// <summary>The answer to a recovery CONNECT (a socket moved from a dead backend).</summary>
    public static void OnRecoveryResult(RelaySocket relay, ConnectResult result)
    {
        if (result.Accepted)
        {
            relay.BackendId = result.BackendId;
        }
        else
        {
            relay.RequestDisconnect(closeConnection: false);
        }
    }

    private RelaySocket? FindSocket(string id) => _sockets.GetValueOrDefault(id);

    private void OnRoomMessage(string channel, ReadOnlyMemory<byte> bytes) => _distributor.OnNamespaceMessage(this, channel, bytes);

    private void Forget(RelaySocket relay)
    {
        _sockets.TryRemove(relay.Id, out _);
        _distributor.Unregister(relay);
        Rooms.LeaveAll(relay);
    }

    /// <summary>Picks a live backend: of two random ones, the one with fewer sockets.</summary>
    private MemberInfo? PickBackend(string? exclude)
    {
        var live = _distributor.BackendsServing(Name).Where(b => b.Id != exclude && !_distributor.IsUnreachable(b.Id) && !_distributor.IsLeaving(b.Id)).ToList();
        if (live.Count == 0)
        {
            return null;
        }

        var first = live[Random.Shared.Next(live.Count)];
        var second = live[Random.Shared.Next(live.Count)];
        return first.Sockets.GetValueOrDefault(Name) <= second.Sockets.GetValueOrDefault(Name) ? first : second;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "No live backend serves {Namespace}; refused socket {SocketId}")]
        public static partial void NoBackend(ILogger logger, string @namespace, string socketId);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Backend {BackendId} of {Namespace} did not answer the CONNECT of socket {SocketId} in time")]
        public static partial void BackendTimeout(ILogger logger, string @namespace, string backendId, string socketId);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Socket {SocketId} of {Namespace} lost its backend {BackendId} and no other is alive: disconnected")]
        public static partial void SocketOrphaned(ILogger logger, string socketId, string @namespace, string backendId);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Socket {SocketId} of {Namespace} was sent more than {MaxBuffered} frames before its CONNECT could be written: its connection is closed (slow client; see DistributorOptions.MaxBufferedBeforeConnect)")]
        public static partial void TooManyBeforeConnect(ILogger logger, string socketId, string @namespace, int maxBuffered);
    }

    /// <summary>A socket's frames held until its CONNECT went over <see cref="DistributorOptions.MaxBufferedBeforeConnect"/>.</summary>
    internal void OnTooManyBeforeConnect(RelaySocket relay) => Log.TooManyBeforeConnect(Logger, relay.Id, Name, Options.MaxBufferedBeforeConnect);
}
