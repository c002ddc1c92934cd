namespace SocketIO.Distributor.Backend;

/// <summary>
/// Connection state recovery of a namespace (socket.io 4.6's <c>connectionStateRecovery</c>): a client
/// that loses its connection for less than <see cref="MaxDisconnectionDuration"/> comes back, on any
/// distributor, with the same socket id, its rooms, its <see cref="BackendSocket.Data"/> and every
/// event it missed. Turn it on with <see cref="BackendNamespace.UseConnectionStateRecovery"/>.
/// </summary>
public sealed class ConnectionStateRecovery
{
    /// <summary>How long a disconnected socket waits to be recovered before its disconnect handlers run (default 2 minutes).</summary>
    public TimeSpan MaxDisconnectionDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>True (the default, as socket.io) to restore a socket without running the namespace's middleware again.</summary>
    public bool SkipMiddlewares { get; set; } = true;

    /// <summary>
    /// The most emits the namespace's replay log keeps in Redis (default 10,000); a client that missed
    /// more is refused recovery and connects as a new socket. Entries older than
    /// <see cref="MaxDisconnectionDuration"/> are trimmed too.
    /// </summary>
    public int MaxReplayEntries { get; set; } = 10_000;

    /// <summary>
    /// True (the default) for offsets given by Redis: one Lua script per recoverable emit numbers it, logs
    /// it and publishes it, so offsets follow the order in which distributors receive the emits, whatever
    /// the number of backend replicas and their clocks (on a Redis Cluster too, with sharded or classic
    /// pub/sub). False, or on a server without such scripts (no Lua), each replica numbers by its own
    /// clock: exact with one replica; with
    /// several emitting at once a recovery may repeat or miss an emit of another replica.
    /// </summary>
    public bool OffsetsFromRedis { get; set; } = true;

    /// <summary>The problems with these options, each saying what to fix; empty when valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxDisconnectionDuration <= TimeSpan.Zero || MaxDisconnectionDuration > TimeSpan.FromDays(1))
        {
            problems.Add($"ConnectionStateRecovery.MaxDisconnectionDuration must be between 1 ms and 1 day (got {MaxDisconnectionDuration}).");
        }

        if (MaxReplayEntries < 16)
        {
            problems.Add($"ConnectionStateRecovery.MaxReplayEntries must be at least 16 (got {MaxReplayEntries}).");
        }

        return problems;
    }
}
