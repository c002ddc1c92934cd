namespace SocketIO.Distributor.Distribution;

/// <summary>What a socket needs from its namespace to hold broadcast acknowledgements.</summary>
internal sealed partial class RelayNamespace
{
    /// <summary>Ticks per second of the distributor's clock (for ack expiries).</summary>
    public long TimestampFrequency => _distributor.Time.TimestampFrequency;
}
