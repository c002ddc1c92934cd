namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Readiness and draining, for orchestrators and rolling deploys: a distributor is ready while Redis
/// is reachable, its membership entry is registered and it is not draining; once told to drain it
/// refuses new connections (HTTP 503) and closes its sessions over <see cref="DistributorOptions.DrainWindow"/>
/// with a transport close, which socket.io clients reconnect from (to another distributor).
/// </summary>
public sealed partial class SocketIODistributor
{
    /// <summary>True once draining started (<see cref="DrainAsync"/>, or the host stopping).</summary>
    public bool IsDraining => Server.Engine.IsDraining;

    /// <summary>True while this distributor should get new clients: started, Redis connected, registered in the cluster, not draining.</summary>
    public bool IsReady => NotReadyReason is null;

    /// <summary>Why the distributor is not ready, or null when it is.</summary>
    internal string? NotReadyReason =>
        IsDraining ? "draining"
        : _bus is not { } bus ? "not started"
        : !bus.IsConnected ? "Redis is not reachable"
        : _membership is not { } membership || !membership.IsLive(Id) ? "not registered in the cluster"
        : null;

    /// <summary>
    /// Starts draining: new Engine.IO handshakes are refused with HTTP 503 at once (and <see cref="IsReady"/>
    /// turns false), and the open sessions are closed spread over <paramref name="window"/> with a
    /// transport close. Calling it again returns the drain under way. Stop the distributor afterwards.
    /// </summary>
    /// <param name="window">How long to spread the closes over; null for <see cref="DistributorOptions.DrainWindow"/>.</param>
    /// <returns>A task that completes when every session has been closed.</returns>
    public Task DrainAsync(TimeSpan? window = null) => Server.Engine.DrainAsync(window ?? Options.DrainWindow);
}
