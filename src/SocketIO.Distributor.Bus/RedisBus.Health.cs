namespace SocketIO.Distributor.Bus;

/// <summary>Whether Redis is reachable right now, for readiness checks.</summary>
public sealed partial class RedisBus
{
    /// <summary>True while the connection to Redis is up (false during an outage, until it reconnects).</summary>
    public bool IsConnected => _connection.IsConnected;
}
