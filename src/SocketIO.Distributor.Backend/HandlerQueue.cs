namespace SocketIO.Distributor.Backend;

/// <summary>
/// Runs one socket's work items (connection, events, disconnection) in order, one at a time, on the
/// thread pool: the thread that queues them (the backend's inbox loop) never runs them, so a blocking
/// handler delays only its own socket. No task or thread is held while the queue is idle, and no
/// memory beyond this object: the first waiting item sits in a field, a queue is allocated only while
/// more than one waits and dropped once drained (most sockets are idle most of the time). The queue is
/// bounded: when <see cref="Capacity"/> items wait, <see cref="TryEnqueue"/> refuses more.
/// </summary>
/// <param name="capacity">The most items that may wait.</param>
/// <param name="onError">Called with an exception a work item threw and <paramref name="errorState"/>; the queue goes on.
/// A static delegate and a state (the socket) instead of a closure per queue: one object less per socket.</param>
/// <param name="errorState">Passed to <paramref name="onError"/>.</param>
internal sealed class HandlerQueue(int capacity, Action<Exception, object?> onError, object? errorState = null)
{
    private readonly Lock _gate = new();
    private Func<Task>? _next;
    private Queue<Func<Task>>? _more;

    /// <summary>Items waiting or running; the drain runs while it is above zero.</summary>
    private int _count;

    /// <summary>The most items that may wait.</summary>
    public int Capacity => capacity;

    /// <summary>True when nothing waits or runs.</summary>
    public bool IsIdle => Volatile.Read(ref _count) == 0;

    /// <summary>Adds a work item; false if the queue is full (unless <paramref name="force"/>, for work that must not be lost).</summary>
    public bool TryEnqueue(Func<Task> work, bool force = false)
    {
        bool start;
        lock (_gate)
        {
            if (!force && _count >= capacity)
            {
                return false;
            }

            if (_next is null && (_more is null || _more.Count == 0))
            {
                _next = work;
            }
            else
            {
                (_more ??= new Queue<Func<Task>>(4)).Enqueue(work);
            }

            start = ++_count == 1;
        }

        if (start)
        {
            // The first item after idle starts a drain on the thread pool; later items are taken by it.
            ThreadPool.UnsafeQueueUserWorkItem(static queue => queue.Start(), this, preferLocal: false);
        }

        return true;
    }

    private void Start() => _ = DrainAsync();

    private Func<Task> Take()
    {
        lock (_gate)
        {
            if (_next is { } next)
            {
                _next = null;
                return next;
            }

            // _count > 0 and _next taken: the queue holds the item (it keeps arrival order, see TryEnqueue).
            return _more!.Dequeue();
        }
    }

    private bool Done()
    {
        lock (_gate)
        {
            if (--_count > 0)
            {
                return false;
            }

            _more = null;
            return true;
        }
    }

    private async Task DrainAsync()
    {
        do
        {
            var work = Take();
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                onError(ex, errorState);
            }
        }
        while (!Done());
    }
}
