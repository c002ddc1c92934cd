namespace SocketIO.Distributor.Bus;

/// <summary>How a process reaches the bus and how liveness is tracked.</summary>
public sealed class BusOptions
{
    /// <summary>The StackExchange.Redis connection string, for example <c>localhost:6379</c>.</summary>
    public string Redis { get; set; } = "localhost:6379";

    /// <summary>The prefix of every channel and key, so deployments can share a Redis. Default <c>siod</c>.</summary>
    public string ChannelPrefix { get; set; } = "siod";

    /// <summary>How often a process refreshes its registry entry and checks the others. Default 2 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A process whose alive key was not refreshed for this long is dead: the key's TTL, so Redis's
    /// clock decides, not the hosts'. After a Redis reconnect, or when a process finds its own key gone
    /// (Redis restarted, or it was paused and declared dead), it re-registers and acts on no one's
    /// absence for twice this long (a grace period in which everyone re-registers and reconciles). Default 6 s.
    /// </summary>
    public TimeSpan MemberTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// How long a Redis outage is ridden out. Meanwhile clients stay connected; what a process
    /// publishes is held in a bounded buffer (<see cref="MaxOutageBufferMessages"/>,
    /// <see cref="MaxOutageBufferBytes"/>) and published in order after the reconnect; what does not fit
    /// is dropped and counted (<c>siod.bus.outage_dropped</c>, <see cref="RedisBus.MessagesDroppedInOutage"/>,
    /// a warning), and receivers count the gaps in the sequence numbers (StackExchange.Redis's own
    /// backlog is not used for them: it drops fire-and-forget messages silently at its timeout).
    /// Other commands (heartbeats) fail after StackExchange.Redis's timeout and are retried.
    /// Past the tolerance a distributor closes its client connections with an Engine.IO close
    /// (clients see <c>transport close</c> and reconnect), never a Socket.IO disconnect. Default 30 s.
    /// </summary>
    public TimeSpan OutageTolerance { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most messages held for publishing during a Redis outage; more are dropped and counted. Default 10,000.</summary>
    public int MaxOutageBufferMessages { get; set; } = 10_000;

    /// <summary>The most bytes held for publishing during a Redis outage; more are dropped and counted. Default 16 MB.</summary>
    public long MaxOutageBufferBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Whether PUBLISH's reply (how many subscribers received the message) is trusted to say that a
    /// backend's inbox has no listener: then a distributor whose message to a backend reached nobody
    /// treats that backend as dead at once (moves its sockets and re-sends the message to the new
    /// backend) instead of waiting for its heartbeat to expire. Default true: right for a single Redis
    /// (or one with replicas) and for a Redis Cluster in sharded mode (SPUBLISH counts the subscribers of
    /// the channel's owning master, which are all of them). On a Redis Cluster in classic mode, where
    /// PUBLISH counts only the subscribers of the node that received it, the counts are never trusted
    /// whatever this says (<see cref="RedisBus.ReceiverCountsTrusted"/>).
    /// </summary>
    public bool TrustPublishReceiverCounts { get; set; } = true;

    /// <summary>
    /// Classic or sharded pub/sub (<see cref="Bus.PubSubMode"/>). <see cref="PubSubMode.Auto"/> (the default)
    /// picks sharded when the server answers a sharded round trip at start (a Redis Cluster, any Redis 7 or
    /// later) and classic otherwise (embedded Garnet); the choice is logged once. Forcing
    /// <see cref="PubSubMode.Sharded"/> on a server without it fails the start with a message saying what to fix.
    /// Every process of a deployment must use the same mode (a classic publish does not reach a sharded
    /// subscriber): leave it on Auto, or set it alike everywhere.
    /// </summary>
    public PubSubMode PubSubMode { get; set; } = PubSubMode.Auto;

    /// <summary>Checks the options; returns a message per problem, saying what to fix.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Redis))
        {
            problems.Add("Redis must be a connection string such as 'localhost:6379'.");
        }

        if (string.IsNullOrWhiteSpace(ChannelPrefix) || ChannelPrefix.Any(char.IsWhiteSpace))
        {
            problems.Add($"ChannelPrefix must be a non-empty word without spaces (got '{ChannelPrefix}').");
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            problems.Add($"HeartbeatInterval must be positive (got {HeartbeatInterval}).");
        }

        if (MemberTimeout <= HeartbeatInterval)
        {
            problems.Add($"MemberTimeout ({MemberTimeout}) must be longer than HeartbeatInterval ({HeartbeatInterval}); three intervals is a good choice.");
        }

        if (OutageTolerance < TimeSpan.Zero)
        {
            problems.Add($"OutageTolerance must be zero or positive (got {OutageTolerance}); 30 s is a good choice.");
        }

        if (MaxOutageBufferMessages < 0 || MaxOutageBufferBytes < 0)
        {
            problems.Add($"MaxOutageBufferMessages and MaxOutageBufferBytes must be zero (hold nothing) or positive (got {MaxOutageBufferMessages} and {MaxOutageBufferBytes}).");
        }

        if (!Enum.IsDefined(PubSubMode))
        {
            problems.Add($"PubSubMode must be Auto, Classic or Sharded (got '{PubSubMode}').");
        }

        return problems;
    }
}
