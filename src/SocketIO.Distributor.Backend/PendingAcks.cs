namespace SocketIO.Distributor.Backend;

/// <summary>
/// One socket's server-to-client acknowledgements still awaited: ids in order from 0, each with a
/// timeout on the injected clock, at most <see cref="Limit"/> at a time.
/// </summary>
/// <param name="time">The clock for timeouts.</param>
internal sealed class PendingAcks(TimeProvider time)
{
    /// <summary>The most acknowledgements one socket may await at once.</summary>
    public const int Limit = 10_000;

    private readonly Dictionary<long, Entry> _pending = [];
    private readonly Lock _gate = new();
    private long _lastId = -1;
    private Exception? _closed;

    /// <summary>The number awaited now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Reserves an ack id; the task completes with the client's answer, or fails on timeout or cancellation.</summary>
    /// <exception cref="InvalidOperationException">Too many are awaited, or the socket is gone.</exception>
    public (long Id, Task<SocketArguments> Answer) Register(string socketId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // No RunContinuationsAsynchronously: the awaiting handler resumes inline, on the socket's queue,
        // so acknowledgements take effect in the order the client sent them (as in socket.io).
        var answer = new TaskCompletionSource<SocketArguments>();
        long id;
        lock (_gate)
        {
            if (_closed is not null)
            {
                throw new InvalidOperationException(_closed.Message, _closed);
            }

            if (_pending.Count >= Limit)
            {
                throw new InvalidOperationException($"Socket {socketId} already awaits {Limit} acknowledgements; the client is not answering.");
            }

            id = ++_lastId;
            var entry = new Entry(answer);
            _pending[id] = entry;
            entry.Timer = time.CreateTimer(
                _ => Fail(id, new TimeoutException($"Socket {socketId} did not acknowledge within {timeout.TotalMilliseconds:0} ms.")),
                null,
                timeout,
                Timeout.InfiniteTimeSpan);
            if (cancellationToken.CanBeCanceled)
            {
                entry.Cancellation = cancellationToken.Register(() => Fail(id, new OperationCanceledException(cancellationToken)));
            }
        }

        return (id, answer.Task);
    }

    /// <summary>The client answered <paramref name="id"/>; false if nothing awaited it (late or unknown).</summary>
    public bool Complete(long id, SocketArguments arguments)
    {
        var entry = Remove(id);
        return entry is not null && entry.Answer.TrySetResult(arguments);
    }

    /// <summary>Fails every awaited acknowledgement and refuses new ones (the socket is gone).</summary>
    public void Close(Exception reason)
    {
        List<Entry> entries;
        lock (_gate)
        {
            _closed = reason;
            entries = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (var entry in entries)
        {
            entry.Dispose();
            entry.Answer.TrySetException(reason);
        }
    }

    private void Fail(long id, Exception exception) => Remove(id)?.Answer.TrySetException(exception);

    private Entry? Remove(long id)
    {
        Entry? entry;
        lock (_gate)
        {
            _pending.Remove(id, out entry);
        }

        entry?.Dispose();
        return entry;
    }

    private sealed class Entry(TaskCompletionSource<SocketArguments> answer) : IDisposable
    {
        public TaskCompletionSource<SocketArguments> Answer { get; } = answer;

        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Cancellation { get; set; }

        public void Dispose()
        {
            Timer?.Dispose();
            Cancellation.Dispose();
        }
    }
}
