namespace SocketIO.Distributor.Bus;

/// <summary>Which Redis pub/sub the bus uses (<see cref="BusOptions.PubSubMode"/>).</summary>
public enum PubSubMode
{
    /// <summary>
    /// Sharded when the server supports it (a Redis Cluster or any Redis 7 or later answers a sharded
    /// round trip at start), classic otherwise (embedded Garnet, older Redis). The default.
    /// </summary>
    Auto,

    /// <summary>
    /// Classic <c>PUBLISH</c>/<c>SUBSCRIBE</c>. On a Redis Cluster every node receives every message
    /// (adding masters adds no pub/sub capacity) and receiver counts cover one node only.
    /// </summary>
    Classic,

    /// <summary>
    /// Sharded <c>SPUBLISH</c>/<c>SSUBSCRIBE</c> (Redis 7 or later): on a Redis Cluster each channel lives
    /// on the master that owns its slot, so pub/sub capacity grows with the masters and receiver counts
    /// (<c>SPUBLISH</c>'s reply, <c>PUBSUB SHARDNUMSUB</c> on the owner) are exact. Fails at start on a
    /// server without it.
    /// </summary>
    Sharded,
}
