namespace SocketIO.Distributor.Backend;

/// <summary>Readiness, for orchestrators (see <c>AddSocketIOBackend</c> on the health checks builder).</summary>
public sealed partial class SocketIOBackend
{
    private volatile bool _stopping;

    /// <summary>
    /// True while this backend can serve its sockets: started, every connection to Redis up, its alive
    /// key registered in the cluster, and not stopping (a stopping backend hands its sockets to another
    /// replica, so it should get no new ones).
    /// </summary>
    public bool IsReady => NotReadyReason is null;

    /// <summary>Why this backend is not ready, or null when it is.</summary>
    public string? NotReadyReason =>
        _stopping ? "stopping (draining its sockets to another replica)"
        : _bus is not { } bus || _membership is not { } membership ? "not started"
        : !bus.IsConnected ? "Redis is not reachable"
        : !membership.IsLive(Id) ? "not registered in the cluster"
        : null;
}
