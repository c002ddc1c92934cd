namespace SocketIO.Distributor.Distribution;

/// <summary>What the session relay did: requests for sessions held by another distributor, both ways.</summary>
public sealed partial class DistributorStatistics
{
    private long _relayedOut;
    private long _relayedIn;
    private long _relayRefused;
    private long _relayTimedOut;
    private long _relayOwnerLost;
    private long _tunnelsOut;
    private long _tunnelsIn;

    /// <summary>Polling requests and WebSockets that reached this distributor for another one's session and were relayed there.</summary>
    public long RelayedRequestsOut => Interlocked.Read(ref _relayedOut);

    /// <summary>Relayed polling requests and WebSockets this distributor served for sessions it holds.</summary>
    public long RelayedRequestsIn => Interlocked.Read(ref _relayedIn);

    /// <summary>Relayed requests refused (HTTP 503) because <see cref="DistributorOptions.MaxRelayedRequests"/> were in flight, either side.</summary>
    public long RelayRefused => Interlocked.Read(ref _relayRefused);

    /// <summary>Relayed requests that got no answer within <see cref="DistributorOptions.RelayTimeout"/> (answered 400).</summary>
    public long RelayTimedOut => Interlocked.Read(ref _relayTimedOut);

    /// <summary>Relayed requests and tunnels ended because the distributor holding the session died (answered 400, or the connection closed).</summary>
    public long RelayOwnerLost => Interlocked.Read(ref _relayOwnerLost);

    /// <summary>Of <see cref="RelayedRequestsOut"/>: WebSockets tunnelled to the distributor holding their session.</summary>
    public long TunnelsOut => Interlocked.Read(ref _tunnelsOut);

    /// <summary>Of <see cref="RelayedRequestsIn"/>: tunnelled WebSockets served here.</summary>
    public long TunnelsIn => Interlocked.Read(ref _tunnelsIn);

    internal void OnRelayedOut(bool tunnel)
    {
        Interlocked.Increment(ref _relayedOut);
        if (tunnel)
        {
            Interlocked.Increment(ref _tunnelsOut);
        }
    }

    internal void OnRelayedIn(bool tunnel)
    {
        Interlocked.Increment(ref _relayedIn);
        if (tunnel)
        {
            Interlocked.Increment(ref _tunnelsIn);
        }
    }

    internal void OnRelayRefused() => Interlocked.Increment(ref _relayRefused);

    internal void OnRelayTimedOut() => Interlocked.Increment(ref _relayTimedOut);

    internal void OnRelayOwnerLost() => Interlocked.Increment(ref _relayOwnerLost);
}
