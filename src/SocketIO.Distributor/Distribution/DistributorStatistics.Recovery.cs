namespace SocketIO.Distributor.Distribution;

/// <summary>What connection state recovery did on this distributor.</summary>
public sealed partial class DistributorStatistics
{
    private long _recovered;
    private long _replayed;
    private long _forwarded;
    private long _renewed;

    /// <summary>Sockets recovered here (same id, rooms; their missed events written before CONNECT).</summary>
    public long SocketsRecovered => Interlocked.Read(ref _recovered);

    /// <summary>Missed events written to recovered sockets.</summary>
    public long EventsReplayed => Interlocked.Read(ref _replayed);

    /// <summary>Emits for sockets recovered on another distributor, passed on to it.</summary>
    public long ForwardedToMovedSockets => Interlocked.Read(ref _forwarded);

    /// <summary>Recoveries refused by the backend (session expired, trimmed or unknown): those clients connected as new sockets with new ids.</summary>
    public long RecoveriesRefused => Interlocked.Read(ref _renewed);

    internal void OnRecoveryRefused() => Interlocked.Increment(ref _renewed);

    internal void OnRecovered(int replayed)
    {
        Interlocked.Increment(ref _recovered);
        Interlocked.Add(ref _replayed, replayed);
    }

    internal void OnForwardedToMovedSocket() => Interlocked.Increment(ref _forwarded);
}
