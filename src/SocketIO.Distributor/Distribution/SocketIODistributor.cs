using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// A distributor: a Socket.IO server whose namespaces are served by backends over Redis. It holds
/// the client connections and their rooms, and nothing else: any number of distributors can run
/// side by side behind a load balancer.
/// </summary>
public sealed partial class SocketIODistributor : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RelaySocket> _sockets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ConnectResult>> _pendingConnects = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RelayNamespace> _namespaces = new(StringComparer.Ordinal);
    private readonly List<BusSubscription> _subscriptions = [];
    private readonly SequenceGaps _gaps = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly long _startedAt;
    private RedisBus? _bus;
    private ClusterMembership? _membership;
    private ITimer? _statsTimer;

    /// <summary>Creates a distributor; nothing connects until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="server">The Socket.IO server whose namespaces this distributor serves.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">Creates the logs.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message says what to fix.</exception>
    public SocketIODistributor(DistributorOptions options, SocketIOServer server, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid distributor options: " + string.Join(" ", problems), nameof(options));
        }

        Options = options;
        Server = server;
        Time = time;
        _loggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger<SocketIODistributor>();
        Id = options.DistributorId ?? EngineServer.NewSessionId()[..8];
        _startedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        server.SocketIdGenerator = () => Id + "." + EngineServer.NewSessionId();
        server.Engine.SessionIdGenerator = () => SessionIds.New(Id);
        server.RecoveredSocketId = RecoveredSocketId;
        server.Engine.ShutdownDrainWindow = options.DrainWindow;
        server.Engine.Metrics.Instance = Id;
    }

    /// <summary>This distributor's id; every socket id it assigns starts with it.</summary>
    public string Id { get; }

    /// <summary>The options in force.</summary>
    public DistributorOptions Options { get; }

    /// <summary>The Socket.IO server.</summary>
    public SocketIOServer Server { get; }

    /// <summary>What this distributor received and relayed since it started.</summary>
    public DistributorStatistics Statistics { get; } = new();

    /// <summary>A message from <see cref="CustomMessage"/> publishers arrived (the original's custom events).</summary>
    public event Action<CustomMessage>? CustomMessageReceived;

    /// <summary>The live distributors and backends (after <see cref="StartAsync"/>).</summary>
    public IReadOnlyCollection<MemberInfo> Members => Membership.Live;

    internal RedisBus Bus => _bus ?? throw new InvalidOperationException("The distributor is not started.");

    internal ClusterMembership Membership => _membership ?? throw new InvalidOperationException("The distributor is not started.");

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>The number of sockets connected here, per namespace.</summary>
    /// <returns>Namespace to count.</returns>
    public IReadOnlyDictionary<string, int> SocketCounts() =>
        _namespaces.ToDictionary(n => n.Key, n => n.Value.SocketCount, StringComparer.Ordinal);

    /// <summary>Connects to Redis, subscribes, registers in the cluster and starts serving the namespaces.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the distributor is serving.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _bus = await RedisBus.ConnectAsync(Options.Bus, _loggerFactory.CreateLogger<RedisBus>(), Time);
        cancellationToken.ThrowIfCancellationRequested();
        var bus = _bus;
        Statistics.OutageDropped = () => bus.MessagesDroppedInOutage;
        Statistics.BatchesReceivedCount = () => bus.BatchesReceived;
        _membership = new ClusterMembership(_bus, Describe, Time, _loggerFactory.CreateLogger<ClusterMembership>());
        _membership.MemberDown += OnMemberDown;
        _membership.Refreshed += OnMembershipRefreshed;
        WireReconciliation(_membership);
        foreach (var name in Options.Namespaces.Distinct(StringComparer.Ordinal))
        {
            var relay = new RelayNamespace(this, name);
            _namespaces[name] = relay;
            var channel = _bus.Channels.Namespace(name);
            _subscriptions.Add(await _bus.SubscribeAsync(channel, bytes => OnNamespaceMessage(relay, channel, bytes)));
        }

        _subscriptions.Add(await _bus.SubscribeAsync(_bus.Channels.Distributor(Id), OnInboxMessage));
        _subscriptions.Add(await _bus.SubscribeAsync(_bus.Channels.All, OnAllMessage));
        await _membership.StartAsync();
        await StartRelayAsync();
        foreach (var (name, relay) in _namespaces)
        {
            Server.AddNamespace(name, relay);
        }

        Server.NamespaceFallback = CreateDynamicNamespace;

        StartOutageWatch();
        StartProbing();
        if (Options.StatsInterval > TimeSpan.Zero)
        {
            _statsTimer = Time.CreateTimer(static s => ((SocketIODistributor)s!).LogStats(), this, Options.StatsInterval, Options.StatsInterval);
        }

        Log.Started(Logger, Id, string.Join(", ", _namespaces.Keys), Options.Bus.Redis);
    }

    /// <summary>
    /// Stops gracefully: closes every client connection (backends are told which sockets left), then
    /// leaves the cluster and disconnects from Redis.
    /// </summary>
    /// <returns>A task that completes when stopped.</returns>
    public async Task StopAsync()
    {
        if (_bus is null)
        {
            return;
        }

        _statsTimer?.Dispose();
        StopOutageWatch();
        StopProbing();
        Server.Engine.CloseAll("server shutting down");
        await StopRelayAsync();
        if (_membership is not null)
        {
            await _membership.LeaveAsync();
            await _membership.DisposeAsync();
        }

        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        foreach (var dynamic in DynamicNamespaces())
        {
            await UnsubscribeAsync(dynamic);
        }

        _subscriptions.Clear();
        await _bus.DisposeAsync();
        _bus = null;
        Log.Stopped(Logger, Id);
    }

    /// <summary>Sends an application-defined message to every distributor (this one included).</summary>
    /// <param name="name">The message name.</param>
    /// <param name="payloadJson">The payload as JSON.</param>
    public void PublishCustom(string name, ReadOnlyMemory<byte> payloadJson) =>
        Bus.Publish(Bus.Channels.All, new CustomMessage(Id, name, payloadJson).Encode());

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    internal void Register(RelaySocket relay) => _sockets[relay.Id] = relay;

    internal void Unregister(RelaySocket relay) =>
        _sockets.TryRemove(new KeyValuePair<string, RelaySocket>(relay.Id, relay));

    internal Task<ConnectResult> ExpectConnectResult(string socketId)
    {
        var answer = new TaskCompletionSource<ConnectResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingConnects[socketId] = answer;
        return answer.Task;
    }

    internal void ForgetConnectResult(string socketId) => _pendingConnects.TryRemove(socketId, out _);

    /// <summary>Refuses a CONNECT still waiting for its backend's answer.</summary>
    internal void FailPendingConnect(string socketId, string message)
    {
        if (_pendingConnects.TryRemove(socketId, out var answer))
        {
            answer.TrySetResult(new ConnectResult(socketId, string.Empty, Accepted: false, ConnectDecision.Reject(message).ErrorJson));
        }
    }

    private MemberInfo Describe() => new()
    {
        Id = Id,
        Kind = MemberKind.Distributor,
        Namespaces = [.. _namespaces.Keys],
        Sockets = SocketCounts(),
        Connections = Server.Engine.SessionCount,
        Host = $"{Environment.MachineName}/{Environment.ProcessId}",
        Endpoint = Options.PublicEndpoint,
        StartedAt = _startedAt,
        ReadsBatches = true,
        AcknowledgesDepartures = true,
    };

    private void OnMemberDown(MemberInfo member)
    {
        if (member.Kind != MemberKind.Backend)
        {
            return;
        }

        if (member.Leaving)
        {
            // A departure (announced, or read in its entry before the announcement came): it drains.
            OnBackendLeaving(member.Id, member.AwaitsDepartureSeen);
            return;
        }

        foreach (var relay in _namespaces.Values)
        {
            relay.OnBackendDown(member.Id);
        }
    }

    private void OnMembershipRefreshed(IReadOnlyCollection<MemberInfo> live, long readStartedAt)
    {
        var backends = live.Where(m => m.Kind == MemberKind.Backend).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var relay in _namespaces.Values)
        {
            relay.OnMembershipRefreshed(backends, readStartedAt);
        }
    }

    private void LogStats()
    {
        Log.Stats(
            Logger,
            Id,
            Server.Engine.SessionCount,
            string.Join(", ", SocketCounts().Select(kv => $"{kv.Key}={kv.Value}")),
            Statistics.PacketsRelayedToBackends,
            Server.Engine.Metrics.FramesSent,
            _bus?.ConnectionLosses ?? 0);
    }
}
