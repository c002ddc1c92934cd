using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>How much this distributor batched what it published on backends' inboxes under load.</summary>
public sealed partial class DistributorStatistics
{
    private long _batchesPublished;
    private long _messagesBatched;

    /// <summary>Batches published on backends' inboxes: one pub/sub message carrying several (see <see cref="MessageBatch"/>).</summary>
    public long BatchesPublished => Interlocked.Read(ref _batchesPublished);

    /// <summary>The messages those batches carried.</summary>
    public long MessagesBatched => Interlocked.Read(ref _messagesBatched);

    /// <summary>Batches received on this distributor's channels (from busy backends) and split.</summary>
    public long BatchesReceived => BatchesReceivedCount?.Invoke() ?? 0;

    internal Func<long>? BatchesReceivedCount { get; set; }

    internal void OnBatchPublished(int messages)
    {
        Interlocked.Increment(ref _batchesPublished);
        Interlocked.Add(ref _messagesBatched, messages);
    }
}
