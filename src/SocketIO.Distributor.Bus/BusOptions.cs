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

    /// <summary>A process whose entry was not refreshed for this long is dead. Default 6 s.</summary>
    public TimeSpan MemberTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// Whether PUBLISH's reply (how many subscribers received the message) is trusted to say that a
    /// backend's inbox has no listener: then a distributor whose message to a backend reached nobody
    /// treats that backend as dead at once (moves its sockets and re-sends the message to the new
    /// backend) instead of waiting for its heartbeat to expire. Default true: right for a single Redis
    /// (or one with replicas). Set false on a Redis Cluster, where classic PUBLISH counts only the
    /// subscribers of the node that received it.
    /// </summary>
    public bool TrustPublishReceiverCounts { get; set; } = true;

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

        return problems;
    }
}
