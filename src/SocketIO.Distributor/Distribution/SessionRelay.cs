using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// No sticky sessions: a polling request or WebSocket for a session held by another distributor (its
/// sid names it) is relayed to that one distributor over its relay channel, served there by the code
/// that serves local requests, and its answer written to the client. WebSockets are tunnelled: the
/// holder runs its WebSocket transport over a <see cref="TunnelWebSocket"/> fed by the bus. Bounded:
/// <see cref="DistributorOptions.MaxRelayedRequests"/> in flight each way, bodies of at most
/// maxPayload + 1 bytes, <see cref="DistributorOptions.RelayTimeout"/>, bounded tunnel queues; a
/// holder that dies is found by a probe of its relay channel and its requests answered 400 at once.
/// </summary>
internal sealed partial class SessionRelay : IForeignSessions, IAsyncDisposable
{
    private readonly SocketIODistributor _distributor;
    private readonly ConcurrentDictionary<ulong, RelayedRequest> _relayed = new();
    private readonly ConcurrentDictionary<(string RelayedBy, ulong Id), ServedRequest> _served = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _lastRequestId;
    private int _relayedCount;
    private int _servedCount;
    private BusSubscription? _subscription;
    private Task _probing = Task.CompletedTask;
    private ClusterMembership? _membership;

    public SessionRelay(SocketIODistributor distributor)
    {
        _distributor = distributor;
        Logger = distributor.Logger;
    }

    private string Id => _distributor.Id;

    private RedisBus Bus => _distributor.Bus;

    private EngineServer Engine => _distributor.Server.Engine;

    private DistributorOptions Options => _distributor.Options;

    private DistributorStatistics Statistics => _distributor.Statistics;

    private ILogger Logger { get; }

    /// <summary>Subscribes to this distributor's relay channel and starts taking requests for other distributors' sessions.</summary>
    public async Task StartAsync()
    {
        _subscription = await Bus.SubscribeAsync(Bus.Channels.Relay(Id), OnMessage);
        _membership = _distributor.Membership;
        _membership.MemberDown += OnMemberDown;
        _probing = ProbeLoopAsync(_stopping.Token);
        Engine.ForeignSessions = this;
    }

    /// <summary>Stops relaying: requests in flight either way end now.</summary>
    public async ValueTask DisposeAsync()
    {
        Engine.ForeignSessions = null;
        await _stopping.CancelAsync();
        await _probing;
        if (_membership is not null)
        {
            _membership.MemberDown -= OnMemberDown;
        }

        foreach (var request in _relayed.Values)
        {
            // The client's connection ends with this distributor: its request ends at the holder too.
            if (request.EndReason is null)
            {
                Bus.Publish(Bus.Channels.Relay(request.Holder), new RelayCancel(request.Id, Id, ToHolder: true, "server shutting down").Encode());
            }

            request.End("server shutting down");
        }

        foreach (var served in _served.Values)
        {
            served.Cancel();
        }

        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <inheritdoc />
    public async Task<bool> TryRelayAsync(HttpContext context, string sid, string transport, bool isWebSocket)
    {
        if (!SessionIds.TryGetOwner(sid, out var holder) || holder == Id || !await IsLiveAsync(holder))
        {
            // Not a sid of ours, or its distributor is unknown or dead: "Session ID unknown" at once.
            return false;
        }

        if (transport == "websocket")
        {
            await RelayWebSocketAsync(context, sid, holder, isWebSocket);
        }
        else
        {
            await RelayPollAsync(context, sid, holder);
        }

        return true;
    }

    /// <summary>
    /// True if <paramref name="holder"/> is a live distributor. One this distributor has not seen yet
    /// (it started less than a heartbeat ago) is asked of Redis: a listener on its relay channel
    /// (one <c>PUBSUB NUMSUB</c>, where the bus can count listeners). A made-up or dead one has none.
    /// </summary>
    private async ValueTask<bool> IsLiveAsync(string holder)
    {
        if (_distributor.Membership.IsLive(holder))
        {
            return true;
        }

        var counts = await Bus.CountSubscribersAsync([Bus.Channels.Relay(holder)]);
        return counts is [> 0];
    }

    private void OnMessage(ReadOnlyMemory<byte> bytes)
    {
        IBusMessage message;
        try
        {
            message = BusMessage.Decode(bytes);
        }
        catch (BusFormatException ex)
        {
            DistributorMetrics.RelayErrors.Add(1);
            Log.BadMessage(Logger, ex);
            return;
        }

        switch (message)
        {
            case RelayRequest request:
                OnRequest(request);
                break;
            case RelayResponse response when _relayed.TryGetValue(response.RequestId, out var relayed) && relayed.Holder == response.ResponderId:
                relayed.OnAnswer(response);
                break;
            case TunnelFrame { ToHolder: true } frame:
                OnFrameToHolder(frame);
                break;
            case TunnelFrame { ToHolder: false } frame when _relayed.TryGetValue(frame.RequestId, out var relayed) && relayed.Holder == frame.SenderId:
                if (!relayed.OnFrame(frame))
                {
                    // The client does not take its frames: cut it, as a local slow client is.
                    Engine.Metrics.SlowClient();
                    relayed.End("slow client");
                    Bus.Publish(Bus.Channels.Relay(relayed.Holder), new RelayCancel(relayed.Id, Id, ToHolder: true, "slow client").Encode());
                }

                break;
            case RelayCancel { ToHolder: true } cancel when _served.TryGetValue((cancel.SenderId, cancel.RequestId), out var served):
                served.Cancel();
                break;
            case RelayCancel { ToHolder: false } cancel when _relayed.TryGetValue(cancel.RequestId, out var relayed) && relayed.Holder == cancel.SenderId:
                relayed.End(cancel.Reason);
                break;
        }
    }

    private bool TryEnter(ref int count)
    {
        if (Interlocked.Increment(ref count) <= Options.MaxRelayedRequests)
        {
            return true;
        }

        Interlocked.Decrement(ref count);
        Statistics.OnRelayRefused();
        DistributorMetrics.RelayRefused.Add(1, Tag);
        return false;
    }

    private KeyValuePair<string, object?> Tag => new("siod.instance", Id);

    private void OnMemberDown(MemberInfo member)
    {
        if (member.Kind == MemberKind.Distributor)
        {
            _ = ConfirmPeerLostAsync(member.Id);
        }
    }

    /// <summary>
    /// A distributor's alive key expired. A process that was only paused (or starved) keeps its Redis
    /// subscriptions: while somebody still listens on its relay channel its requests go on (the probe
    /// decides); where listeners cannot be counted (a cluster) the membership decides.
    /// </summary>
    private async Task ConfirmPeerLostAsync(string peer)
    {
        try
        {
            var counts = await Bus.CountSubscribersAsync([Bus.Channels.Relay(peer)]);
            if (counts is not [> 0])
            {
                OnPeerLost(peer);
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            Log.ProbeFailed(Logger, ex);
            OnPeerLost(peer);
        }
    }

    /// <summary>A distributor died: what it holds for our clients ends, and what we serve for its clients too.</summary>
    private void OnPeerLost(string peer)
    {
        foreach (var request in _relayed.Values)
        {
            if (request.Holder == peer && request.EndReason is null)
            {
                Statistics.OnRelayOwnerLost();
                DistributorMetrics.RelayOwnerLost.Add(1, Tag);
                request.End("holder lost");
            }
        }

        foreach (var served in _served.Values)
        {
            if (served.RelayedBy == peer)
            {
                served.Cancel();
            }
        }
    }
}
