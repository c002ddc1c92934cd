using System.Collections.Concurrent;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Runs one socket's work items (connection, events, disconnection) in order, one at a time, on the
/// thread pool: the thread that queues them (the backend's inbox loop) never runs them, so a blocking
/// handler delays only its own socket. No task or thread is held while the queue is idle. The queue is
/// bounded: when <see cref="Capacity"/> items wait, <see cref="TryEnqueue"/> refuses more.
/// </summary>
/// <param name="capacity">The most items that may wait.</param>
/// <param name="onError">Called with an exception a work item threw; the queue goes on.</param>
internal sealed class HandlerQueue(int capacity, Action<Exception> onError)
{
    private readonly ConcurrentQueue<Func<Task>> _items = new();
    private int _count;

    /// <summary>The most items that may wait.</summary>
    public int Capacity => capacity;

    /// <summary>True when nothing waits or runs.</summary>
    public bool IsIdle => Volatile.Read(ref _count) == 0;

    /// <summary>Adds a work item; false if the queue is full (unless <paramref name="force"/>, for work that must not be lost).</summary>
    public bool TryEnqueue(Func<Task> work, bool force = false)
    {
        if (!force && Volatile.Read(ref _count) >= capacity)
        {
            return false;
        }

        _items.Enqueue(work);
        if (Interlocked.Increment(ref _count) == 1)
        {
            // The first item after idle starts a drain on the thread pool; later items are taken by it.
            ThreadPool.UnsafeQueueUserWorkItem(static queue => queue.Start(), this, preferLocal: false);
        }

        return true;
    }

    private void Start() => _ = DrainAsync();

    private async Task DrainAsync()
    {
        do
        {
            // The count is raised after the enqueue, so an item is always there to take.
            _items.TryDequeue(out var work);
            try
            {
                await work!().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                onError(ex);
            }
        }
        while (Interlocked.Decrement(ref _count) > 0);
    }
}
