using System.Collections.Concurrent;

namespace SocketIO.Distributor.Hosting;

/// <summary>
/// Sends the pending bytes of the connections served on their sockets, as Kestrel's I/O queues do: a
/// connection with something to send joins a queue, and one thread-pool work item per queue sends for every
/// connection in it, so a burst of writes to many connections costs one work item, not one per write.
/// One queue per processor (at most 16); connections are spread over them in turn.
/// </summary>
internal sealed class SocketSendQueue : IThreadPoolWorkItem
{
    private static readonly SocketSendQueue[] Queues = [.. Enumerable.Range(0, Math.Min(Environment.ProcessorCount, 16)).Select(_ => new SocketSendQueue())];
    private static int _next;

    private readonly ConcurrentQueue<SocketPipeWriter> _writers = new();
    private int _scheduled;

    /// <summary>The queue for a new connection.</summary>
    public static SocketSendQueue Next() => Queues[(int)((uint)Interlocked.Increment(ref _next) % (uint)Queues.Length)];

    /// <summary>Sends <paramref name="writer"/>'s pending bytes soon.</summary>
    public void Schedule(SocketPipeWriter writer)
    {
        _writers.Enqueue(writer);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <inheritdoc />
    public void Execute()
    {
        while (true)
        {
            while (_writers.TryDequeue(out var writer))
            {
                try
                {
                    writer.SendPending();
                }
                catch (Exception)
                {
                    // Unexpected: that connection is closed; the queue goes on with the others.
                    writer.Fail();
                }
            }

            Volatile.Write(ref _scheduled, 0);
            if (_writers.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }
}
