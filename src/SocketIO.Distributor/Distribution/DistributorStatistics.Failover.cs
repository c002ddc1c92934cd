namespace SocketIO.Distributor.Distribution;

/// <summary>What backend failover did: every event a lost backend took with it is counted here.</summary>
public sealed partial class DistributorStatistics
{
    private long _unreachable;
    private long _resent;
    private long _acksFailed;
    private long _acksUntracked;
    private long _possiblyLost;

    /// <summary>Times Redis answered a publish to a backend's inbox with 0 receivers (the backend was then treated as dead).</summary>
    public long BackendsUnreachable => Interlocked.Read(ref _unreachable);

    /// <summary>Client packets re-sent to a socket's new backend because its old one did not receive them.</summary>
    public long PacketsResent => Interlocked.Read(ref _resent);

    /// <summary>Client events answered with a <c>BACKEND_LOST</c> error ack: their backend received them and was lost before answering.</summary>
    public long AcksFailed => Interlocked.Read(ref _acksFailed);

    /// <summary>
    /// Client events no longer held against a backend loss because their socket had
    /// <see cref="DistributorOptions.MaxPendingAcks"/> newer ones waiting (or their backend predates
    /// <c>SendToSocket.AnswersAck</c> and never says which ack it answers).
    /// </summary>
    public long AcksUntracked => Interlocked.Read(ref _acksUntracked);

    /// <summary>Client events without ack that a lost backend received and never reported handled.</summary>
    public long EventsPossiblyLost => Interlocked.Read(ref _possiblyLost);

    internal void OnBackendUnreachable() => Interlocked.Increment(ref _unreachable);

    internal void OnResent(int count) => Interlocked.Add(ref _resent, count);

    internal void OnAcksFailed(int count) => Interlocked.Add(ref _acksFailed, count);

    internal void OnAckUntracked() => Interlocked.Increment(ref _acksUntracked);

    internal void OnPossiblyLost(long count) => Interlocked.Add(ref _possiblyLost, count);
}
