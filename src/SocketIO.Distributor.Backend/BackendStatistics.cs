namespace SocketIO.Distributor.Backend;

/// <summary>What one backend lost or refused since it started: nothing is dropped without being counted here.</summary>
public sealed class BackendStatistics
{
    private long _lost;
    private long _overflows;
    private long _refused;

    /// <summary>Messages from distributors that never arrived, found by gaps in their channel sequence numbers.</summary>
    public long MessagesLost => Interlocked.Read(ref _lost);

    /// <summary>
    /// Messages dropped because the backend's inbox pipeline was full
    /// (<see cref="BackendOptions.InboxCapacity"/>); a client event among them that had an ack id was
    /// answered with a <c>BACKEND_OVERLOADED</c> error ack.
    /// </summary>
    public long InboxOverflows => Interlocked.Read(ref _overflows);

    /// <summary>Client events refused because their socket's handlers fell too far behind (answered with a <c>SOCKET_BUSY</c> error ack when they had an ack id).</summary>
    public long EventsRefused => Interlocked.Read(ref _refused);

    /// <summary>Batches of messages (several in one pub/sub message, sent by busy distributors) this backend received and split.</summary>
    public long BatchesReceived => BatchesReceivedCount?.Invoke() ?? 0;

    internal Func<long>? BatchesReceivedCount { get; set; }

    /// <summary>Batches this backend published to busy distributors (several messages in one pub/sub message).</summary>
    public long BatchesPublished => BatchingCounts?.Invoke().Batches ?? 0;

    /// <summary>The messages those batches carried.</summary>
    public long MessagesBatched => BatchingCounts?.Invoke().Messages ?? 0;

    internal Func<(long Batches, long Messages)>? BatchingCounts { get; set; }

    internal void OnMessagesLost(long count) => Interlocked.Add(ref _lost, count);

    internal long OnInboxOverflow() => Interlocked.Increment(ref _overflows);

    internal void OnEventRefused() => Interlocked.Increment(ref _refused);
}
