using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// A backend process: serves one or more Socket.IO namespaces to clients held by distributors,
/// talking to them only through the Redis bus. Add namespaces with <see cref="Of(string)"/>, then
/// <see cref="StartAsync"/>; the backend registers itself (with heartbeats) so distributors route
/// connections to it.
/// </summary>
public sealed partial class SocketIOBackend : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, BackendNamespace> _namespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BackendSocket> _sockets = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly ILogger _logger;
    private RedisBus? _bus;
    private BackendRouter? _router;
    private PayloadCodec? _codec;
    private ClusterMembership? _membership;
    private BusSubscription? _inbox;
    private BusSubscription? _all;
    private long _startedAt;

    /// <summary>Creates a backend; nothing connects until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The options; validated by <see cref="StartAsync"/>.</param>
    /// <param name="loggerFactory">Where to log; none by default.</param>
    /// <param name="timeProvider">The clock for heartbeats and timeouts; the system clock by default.</param>
    public SocketIOBackend(BackendOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Id = options.BackendId ?? BackendOptions.NewId();
        Time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SocketIOBackend>();
    }

    /// <summary>A custom message published by another process (<see cref="PublishCustom"/>) arrived.</summary>
    public event EventHandler<CustomMessageEventArgs>? CustomMessageReceived;

    /// <summary>This backend's id in the cluster.</summary>
    public string Id { get; }

    /// <summary>The options in force.</summary>
    public BackendOptions Options { get; }

    /// <summary>True between <see cref="StartAsync"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => _router is not null;

    /// <summary>The namespaces added with <see cref="Of(string)"/>.</summary>
    public IReadOnlyCollection<BackendNamespace> Namespaces => [.. _namespaces.Values];

    internal TimeProvider Time { get; }

    internal ILogger Logger => _logger;

    internal BackendRouter Router => _router ?? throw NotRunning();

    internal PayloadCodec Codec => _codec ?? throw NotRunning();

    internal ClusterMembership Membership => _membership ?? throw NotRunning();

    /// <summary>The namespace <paramref name="nsp"/>, created on first use (socket.io's <c>io.of(nsp)</c>).</summary>
    /// <param name="nsp">The namespace name, such as <c>/</c> or <c>/chat</c>.</param>
    /// <returns>The namespace.</returns>
    public BackendNamespace Of(string nsp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nsp);
        var name = nsp.StartsWith('/') ? nsp : "/" + nsp;
        return _namespaces.GetOrAdd(name, n => new BackendNamespace(this, n));
    }

    /// <summary>Connects to Redis, subscribes to this backend's inbox and registers it as live.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes once distributors can find this backend.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message says what to fix.</exception>
    /// <exception cref="InvalidOperationException">Redis cannot be reached.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var problems = Options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid backend options: " + string.Join(" ", problems), nameof(Options));
        }

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_router is not null)
            {
                return;
            }

            _stopping = false;

            _codec = new PayloadCodec(Options.Json);
            _startedAt = Time.GetUtcNow().ToUnixTimeMilliseconds();
            var bus = await RedisBus.ConnectAsync(Options.Bus, _logger, Time).ConfigureAwait(false);
            _bus = bus;
            Statistics.BatchesReceivedCount = () => bus.BatchesReceived;
            var router = new BackendRouter(bus, Id, Time, _logger, ReadsBatches);
            _membership = new ClusterMembership(bus, Describe, Time, _logger);
            _membership.MemberDown += OnMemberDown;
            _membership.Refreshed += OnMembershipRefreshed;
            WireReconciliation(bus, _membership);
            _router = router;
            Statistics.BatchingCounts = () => router.Batching;
            await StartRecoveryOrderAsync(bus).ConfigureAwait(false);

            // Listen before registering, so no connect request sent to a fresh entry is missed.
            StartPipeline();
            _inbox = await bus.SubscribeAsync(router.Inbox, OnInboxDelivered).ConfigureAwait(false);
            _all = await bus.SubscribeAsync(bus.Channels.All, OnAllDelivered).ConfigureAwait(false);
            await _membership.StartAsync().ConfigureAwait(false);
            StartDistributorProbe(bus, _membership);
            BackendLog.Started(_logger, Id, string.Join(", ", _namespaces.Keys));
        }
        catch
        {
            await ReleaseAsync(announce: false).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Leaves the cluster without a client-visible disconnect: announces the departure (distributors move
    /// this backend's sockets to another replica at once, with a recovery CONNECT), keeps handling what
    /// reaches its inbox until every live distributor said it sends nothing more (<see cref="DepartureSeen"/>),
    /// unsubscribes, finishes what is queued or running (all of it within <see cref="BackendOptions.DrainTimeout"/>),
    /// tells the distributors it is done (<see cref="BackendDrained"/>: they answer whatever it still owes
    /// with an error ack), removes its members entry, and disconnects from Redis. Until then its entry
    /// says it drains (<see cref="MemberInfo.Leaving"/>): nobody picks it, and nobody mistakes it for dead.
    /// </summary>
    /// <returns>A task that completes when stopped.</returns>
    public async Task StopAsync()
    {
        _stopping = true;
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_router is null)
            {
                return;
            }

            await ReleaseAsync(announce: true).ConfigureAwait(false);
            BackendLog.Stopped(_logger, Id);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Publishes an application-defined message to every process of the deployment.</summary>
    /// <param name="name">The message name.</param>
    /// <param name="payload">The payload, serialized with <see cref="BackendOptions.Json"/>.</param>
    public void PublishCustom(string name, object? payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Router.Publish(Router.Channels.All, new CustomMessage(Id, name, Codec.SerializeValue(payload)));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() =>
        // The semaphore is left to the GC: it has no wait handle, and a second dispose must stay harmless.
        await StopAsync().ConfigureAwait(false);

    /// <summary>Forgets a socket that left or was rejected.</summary>
    internal void ForgetSocket(BackendSocket socket) => _sockets.TryRemove(new KeyValuePair<string, BackendSocket>(socket.Id, socket));

    /// <summary>
    /// Whether every receiver of <paramref name="channel"/> reads batches: a distributor's channel if
    /// that distributor says so in its registry entry; null while it is not known; false for any other
    /// channel (a namespace's or a room's has many receivers, a process's from before batches may be among them).
    /// </summary>
    private bool? ReadsBatches(string channel)
    {
        var prefix = _bus?.Channels.Distributor(string.Empty);
        if (prefix is null || !channel.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        return _membership?.Find(channel[prefix.Length..])?.ReadsBatches;
    }

    private MemberInfo Describe() => new()
    {
        Id = Id,
        Kind = MemberKind.Backend,
        Namespaces = [.. _namespaces.Values.Where(n => !n.IsClosed).Select(n => n.Name)],
        NamespacePatterns = NamespacePatterns(),
        AcceptsAnyNamespace = AcceptsAnyNamespace(),
        Sockets = _namespaces.Values.Where(n => !n.IsClosed).ToDictionary(n => n.Name, n => n.Sockets.Count),
        Host = $"{Environment.MachineName}/{Environment.ProcessId}",
        StartedAt = _startedAt,
        ReadsBatches = true,
        AwaitsDepartureSeen = true,
    };

    private async Task ReleaseAsync(bool announce)
    {
        var membership = _membership;
        if (membership is not null)
        {
            membership.MemberDown -= OnMemberDown;
            membership.Refreshed -= OnMembershipRefreshed;
        }

        // Started before the announcement: a distributor may acknowledge it at once.
        var drain = announce ? Drain.Start(this, membership) : null;
        _drain = drain;
        if (drain is not null)
        {
            // The entry stays (saying it drains) and the heartbeat goes on until the drain is over.
            if (membership is null || !await membership.AnnounceLeavingAsync().ConfigureAwait(false))
            {
                drain.NobodyTold();
            }

            await drain.UntilDistributorsDoneAsync().ConfigureAwait(false);
        }
        else if (announce && membership is not null)
        {
            // Nothing to drain: leave at once, before unsubscribing (no distributor picks it meanwhile).
            await membership.LeaveAsync().ConfigureAwait(false);
        }

        await StopDistributorProbeAsync().ConfigureAwait(false);
        if (_inbox is not null)
        {
            await _inbox.DisposeAsync().ConfigureAwait(false);
        }

        if (drain is not null)
        {
            await drain.UntilIdleAsync().ConfigureAwait(false);
            drain.Finish();
        }

        if (membership is not null)
        {
            if (drain is not null)
            {
                await membership.LeaveAsync().ConfigureAwait(false);
            }

            await membership.DisposeAsync().ConfigureAwait(false);
        }

        if (_all is not null)
        {
            await _all.DisposeAsync().ConfigureAwait(false);
        }

        await StopPipelineAsync().ConfigureAwait(false);

        _router?.CancelPending();
        if (_bus is not null)
        {
            await _bus.DisposeAsync().ConfigureAwait(false);
        }

        _sockets.Clear();
        foreach (var nsp in _namespaces.Values)
        {
            BackendMetrics.Sockets.Add(-nsp.ForgetSockets());
        }

        (_membership, _inbox, _all, _router, _bus, _drain) = (null, null, null, null, null, null);
    }

    private static InvalidOperationException NotRunning() =>
        new("The backend is not running: call StartAsync first (and do not use it after StopAsync).");
}
