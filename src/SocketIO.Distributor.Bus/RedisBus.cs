using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// One process's connection to the bus: publishes messages and delivers each subscription's
/// messages in order. StackExchange.Redis reconnects by itself and restores every subscription;
/// connection losses are logged and counted. During an outage, publishes are held in a bounded
/// buffer and sent after the reconnect (see <see cref="BusOptions.OutageTolerance"/>).
/// </summary>
public sealed partial class RedisBus : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly ISubscriber _subscriber;
    private readonly ILogger _logger;

    private RedisBus(ConnectionMultiplexer connection, BusOptions options, ILogger logger, TimeProvider time)
    {
        _connection = connection;
        _subscriber = connection.GetSubscriber();
        _logger = logger;
        _time = time;
        Options = options;
        Channels = new BusChannels(options.ChannelPrefix);
        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>The options in force.</summary>
    public BusOptions Options { get; }

    /// <summary>The channel and key names.</summary>
    public BusChannels Channels { get; }

    /// <summary>The Redis database, for registry keys.</summary>
    public IDatabase Database => _connection.GetDatabase();

    /// <summary>How many times the connection to Redis was lost since start.</summary>
    public long ConnectionLosses => Interlocked.Read(ref _connectionLosses);

    private long _connectionLosses;

    /// <summary>How many batches (<see cref="MessageBatch"/>) this process's subscriptions have received and split.</summary>
    public long BatchesReceived => Interlocked.Read(ref _batchesReceived);

    private long _batchesReceived;

    /// <summary>Connects to Redis.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">The log.</param>
    /// <param name="time">The clock that times outages; the system clock by default.</param>
    /// <returns>The connected bus.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message says what to fix.</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="BusOptions.PubSubMode"/> is Sharded on a server without sharded pub/sub, or Redis cannot be reached; the message says where it was looked for. A process does not start
    /// without Redis (it could register nowhere): the <c>siod</c> command prints that one line and exits with code 2.
    /// </exception>
    public static async Task<RedisBus> ConnectAsync(BusOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid bus options: " + string.Join(" ", problems), nameof(options));
        }

        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(options.Redis);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Invalid Redis connection string '{options.Redis}': {ex.Message}", nameof(options), ex);
        }

        configuration.AbortOnConnectFail = true;

        // The bus reads CLUSTER NODES itself while a cluster node is down (RedisBus.ClusterOutage.cs), and
        // the library lets only admin connections send CLUSTER. Only the bus's own code sends commands on
        // this connection; no input from clients ever becomes a command.
        configuration.AllowAdmin = true;
        configuration.ClientName ??= "siod";
        configuration.IncludeDetailInExceptions = true;

        // Publishes during a known outage go to our own bounded, counted buffer (RedisBus.Outage.cs), not
        // to the library's backlog, which would drop fire-and-forget messages silently at their timeout.
        // Other commands keep the library's default (wait in its backlog until the timeout): with
        // FailFast, the lazily connected subscription connection made the first SUBSCRIBE fail.
        configuration.ReconnectRetryPolicy ??= new LinearRetry(ReconnectIntervalMilliseconds);
        configuration.HeartbeatInterval = TimeSpan.FromMilliseconds(ReconnectIntervalMilliseconds);
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            var bus = new RedisBus(connection, options, logger, time ?? TimeProvider.System);
            try
            {
                await bus.ChooseModeAsync();
            }
            catch
            {
                await bus.DisposeAsync();
                throw;
            }

            return bus;
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException(
                $"Cannot reach Redis at '{options.Redis}': {ex.Message.Split('.')[0]}. Start a Redis (or `siod redis`) there, or pass another connection string.",
                ex);
        }
    }

    /// <summary>Publishes a message without waiting for Redis to answer (order is kept per connection).</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The encoded message.</param>
    public void Publish(string channel, byte[] message)
    {
        if (TryHold(channel, message))
        {
            return;
        }

        try
        {
            _subscriber.Publish(ChannelOf(channel), message, CommandFlags.FireAndForget);
            BusMetrics.MessagesPublished.Add(1);
            BusMetrics.BytesPublished.Add(message.Length);
        }
        catch (RedisConnectionException ex)
        {
            // The connection is gone (its failure event may not have arrived yet): hold it for the reconnect.
            BusMetrics.PublishErrors.Add(1);
            Log.PublishFailed(_logger, ex, channel);
            HoldAfterFailure(channel, message);
        }
    }

    /// <summary>
    /// Publishes without waiting, like <see cref="Publish"/>, and returns a task that completes once Redis
    /// has answered (or at once when the message was held for an outage or not published). The task has
    /// no continuation of its own, so watching it costs nothing unless someone waits on it; it faults if
    /// the connection fails first (whoever waits on it must observe that).
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The encoded message.</param>
    /// <returns>A task that completes when Redis answered.</returns>
    internal Task PublishWatched(string channel, byte[] message)
    {
        if (TryHold(channel, message))
        {
            return Task.CompletedTask;
        }

        try
        {
            var sent = _subscriber.PublishAsync(ChannelOf(channel), message);
            BusMetrics.MessagesPublished.Add(1);
            BusMetrics.BytesPublished.Add(message.Length);
            if (sent.IsCompleted)
            {
                _ = sent.Exception;
                return Task.CompletedTask;
            }

            // No continuation here: StackExchange.Redis runs every continuation on the thread pool, so
            // one would cost a work item per message. A failure (a lost connection) is handled like a
            // fire-and-forget publish's: the outage logic hears of it from the connection.
            return sent;
        }
        catch (RedisConnectionException ex)
        {
            BusMetrics.PublishErrors.Add(1);
            Log.PublishFailed(_logger, ex, channel);
            HoldAfterFailure(channel, message);
            return Task.CompletedTask;
        }
    }

    /// <summary>Publishes and waits for Redis to answer.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The encoded message.</param>
    /// <returns>The number of subscribers that received it (on a cluster: on the node that took it).</returns>
    public async Task<long> PublishAsync(string channel, byte[] message)
    {
        BusMetrics.MessagesPublished.Add(1);
        BusMetrics.BytesPublished.Add(message.Length);
        return await _subscriber.PublishAsync(ChannelOf(channel), message);
    }

    /// <summary>
    /// Subscribes to a channel; <paramref name="handler"/> receives its messages one at a time, in
    /// order. Exceptions from the handler are logged and do not stop the subscription.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="handler">Handles one message.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public Task<BusSubscription> SubscribeAsync(string channel, Action<ReadOnlyMemory<byte>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return SubscribeAsync(channel, (bytes, _) => handler(bytes));
    }

    /// <summary>
    /// Subscribes to a channel; <paramref name="handler"/> receives its messages one at a time, in
    /// order, with how many more messages of the channel are already waiting behind each one (-1 when
    /// that is not known). A handler that hands messages to a queue of its own can run one in place
    /// when none waits (one thread hop less at light load) and keep handing them off under load, so
    /// its queue stays the one that fills. Exceptions from the handler are logged and do not stop the
    /// subscription.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="handler">Handles one message; its second argument is the number of messages waiting behind it.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public async Task<BusSubscription> SubscribeAsync(string channel, Action<ReadOnlyMemory<byte>, int> handler)
    {
        var queue = await _subscriber.SubscribeAsync(ChannelOf(channel));
        _subscribedChannels.AddOrUpdate(channel, 1, static (_, count) => count + 1);
        queue.OnMessage(message =>
        {
            byte[]? bytes = message.Message;
            var waiting = queue.TryGetCount(out var count) ? count : -1;
            if (bytes is not null && MessageBatch.IsBatch(bytes))
            {
                DeliverBatch(channel, handler, bytes, waiting);
                return;
            }

            Deliver(channel, handler, bytes ?? ReadOnlyMemory<byte>.Empty, waiting);
        });
        return new BusSubscription(queue, this, channel);
    }

    /// <summary>Hands one message to a subscription's handler: each message of a batch in turn, the others as they are.</summary>
    private void DeliverBatch(string channel, Action<ReadOnlyMemory<byte>, int> handler, byte[] batch, int waiting)
    {
        ReadOnlyMemory<byte>[] messages;
        try
        {
            messages = MessageBatch.Split(batch);
        }
        catch (BusFormatException ex)
        {
            BusMetrics.HandlerErrors.Add(1);
            Log.HandlerFailed(_logger, ex, channel);
            return;
        }

        BusMetrics.BatchesReceived.Add(1);
        Interlocked.Increment(ref _batchesReceived);
        for (var i = 0; i < messages.Length; i++)
        {
            // The messages behind this one: the rest of the batch, and the queue's (when it is known).
            Deliver(channel, handler, messages[i], waiting < 0 ? -1 : waiting + messages.Length - 1 - i);
        }
    }

    private void Deliver(string channel, Action<ReadOnlyMemory<byte>, int> handler, ReadOnlyMemory<byte> message, int waiting)
    {
        try
        {
            BusMetrics.MessagesReceived.Add(1);
            handler(message, waiting);
        }
        catch (Exception ex)
        {
            BusMetrics.HandlerErrors.Add(1);
            Log.HandlerFailed(_logger, ex, channel);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        var held = DiscardHeld();
        if (held > 0)
        {
            Log.HeldDiscarded(_logger, held);
        }

        try
        {
            await _connection.CloseAsync(allowCommandsToComplete: IsConnected);
        }
        catch (RedisException ex)
        {
            // Redis is down while stopping: nothing left to flush.
            Log.CloseFailed(_logger, ex.Message);
        }

        await _connection.DisposeAsync();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _connectionLosses);
        BusMetrics.ConnectionLosses.Add(1);
        Log.ConnectionLost(_logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
        OnConnectionBroken(e.EndPoint, e.ConnectionType);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        BusMetrics.Reconnects.Add(1);
        Log.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");
        OnConnectionMended(e.EndPoint, e.ConnectionType);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Lost the Redis connection to {Endpoint} ({Failure}); reconnecting")]
        public static partial void ConnectionLost(ILogger logger, string endpoint, string failure);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Redis connection to {Endpoint} restored; subscriptions restored")]
        public static partial void ConnectionRestored(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Handling a message from bus channel {Channel} failed")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string channel);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Publishing to bus channel {Channel} failed")]
        public static partial void PublishFailed(ILogger logger, Exception exception, string channel);
    }
}

/// <summary>A subscription to one bus channel; dispose it to unsubscribe.</summary>
public sealed class BusSubscription : IAsyncDisposable
{
    private readonly ChannelMessageQueue _queue;
    private readonly RedisBus _bus;

    private readonly string _channel;
    private int _disposed;

    internal BusSubscription(ChannelMessageQueue queue, RedisBus bus, string channel)
    {
        _queue = queue;
        _bus = bus;
        _channel = channel;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _bus.OnUnsubscribed(_channel);
        if (!_bus.IsConnected)
        {
            // Redis is unreachable (a stop during an outage): UNSUBSCRIBE would wait for the library's
            // timeout; the subscription dies with the connection, or is dropped at the reconnect.
            _queue.Unsubscribe(CommandFlags.FireAndForget);
            return;
        }

        try
        {
            await _queue.UnsubscribeAsync().WaitAsync(RedisBus.StopStepTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis is unreachable (a stop during an outage): the subscription dies with the connection.
        }
    }
}
