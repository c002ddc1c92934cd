namespace SocketIO.Distributor.Distribution;

/// <summary>Options of the session relay: a request for a session held by another distributor is served there, through the bus.</summary>
public sealed partial class DistributorOptions
{
    /// <summary>
    /// The most relayed requests in flight at once on this distributor, each way (polling requests it
    /// relays to others and ones it serves for them; a tunnelled WebSocket counts as one for its life).
    /// Beyond, a request is answered HTTP 503 and counted (<see cref="DistributorStatistics.RelayRefused"/>). Default 10,000.
    /// </summary>
    public int MaxRelayedRequests { get; set; } = 10_000;

    /// <summary>
    /// How long a relayed polling request may wait for its answer before it is answered 400 (and the
    /// holder told to let it go). Must be longer than a long-poll's hold (the ping interval: a pending
    /// GET is answered at the next ping at the latest). Null (the default): ping interval + ping timeout + 5 s.
    /// </summary>
    public TimeSpan? RelayTimeout { get; set; }

    /// <summary>
    /// While requests are relayed to (or tunnels served for) another distributor, how often its relay
    /// channel is checked for a listener (<c>PUBSUB NUMSUB</c>), so that a distributor killed mid-request
    /// is found within two intervals: its requests are answered 400 and its tunnels closed. Only where
    /// the bus can count listeners (<c>RedisBus.ReceiverCountsTrusted</c>: a single Redis, or sharded
    /// pub/sub on a cluster); otherwise the member timeout decides. Default 250 ms.
    /// </summary>
    public TimeSpan RelayProbeInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The relay timeout in force.</summary>
    internal TimeSpan EffectiveRelayTimeout =>
        RelayTimeout ?? Server.Engine.PingInterval + Server.Engine.PingTimeout + TimeSpan.FromSeconds(5);

    private void ValidateRelay(List<string> problems)
    {
        if (MaxRelayedRequests < 1)
        {
            problems.Add($"MaxRelayedRequests must be at least 1 (got {MaxRelayedRequests}).");
        }

        if (RelayTimeout is { } timeout && timeout <= Server.Engine.PingInterval)
        {
            problems.Add($"RelayTimeout ({timeout}) must be longer than the ping interval ({Server.Engine.PingInterval}), which is how long a long-poll is held; or leave it unset.");
        }

        if (RelayProbeInterval <= TimeSpan.Zero)
        {
            problems.Add($"RelayProbeInterval must be positive (got {RelayProbeInterval}).");
        }
    }
}
