using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace SocketIO.Distributor.Hosting;

/// <summary>
/// The pipes of a connection the bare transport serves itself (<see cref="BareSocketListener"/>): a reader
/// and a writer straight on the socket, without <see cref="Pipe"/>s, a memory pool or a send loop. An idle
/// connection holds no buffer (the reader waits with a zero-byte receive and takes a pooled buffer when data
/// is there; the writer takes one per write and gives it back once sent). Writes are sent by a send queue's
/// work item with a non-blocking send, several writes to a connection in one send when they come in a burst;
/// only what the socket cannot take at once is sent asynchronously.
/// One reader and one writer at a time (the WebSocket over it serializes its sends).
/// </summary>
internal sealed class SocketPipe : IDuplexPipe
{
    /// <summary>Takes the socket's reads and writes (sets it non-blocking: a send never blocks the sending thread).</summary>
    public SocketPipe(Socket socket)
    {
        socket.Blocking = false;
        Input = new SocketPipeReader(socket);
        Output = new SocketPipeWriter(socket);
    }

    /// <inheritdoc />
    public PipeReader Input { get; }

    /// <inheritdoc />
    public PipeWriter Output { get; }

    /// <summary>A socket error or a disposed socket: the connection is gone, which readers and writers see as completion.</summary>
    internal static bool IsConnectionGone(Exception ex) => ex is SocketException or ObjectDisposedException or OperationCanceledException;
}

/// <summary>Reads a socket into one pooled buffer, held only while data waits to be consumed.</summary>
internal sealed class SocketPipeReader(Socket socket) : PipeReader
{
    private const int BufferSize = 4096;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private ReadOnlySequence<byte> _returned;

    /// <summary>The consumer examined everything buffered: the next read receives more first.</summary>
    private bool _examinedAll;
    private bool _completed;
    private volatile bool _cancelNext;

    /// <inheritdoc />
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (TryRead(out var result))
        {
            return new ValueTask<ReadResult>(result);
        }

        return ReceiveAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override bool TryRead(out ReadResult result)
    {
        if (_cancelNext)
        {
            _cancelNext = false;
            result = new ReadResult(Buffered(), isCanceled: true, _completed);
            return true;
        }

        if ((_end > _start && !_examinedAll) || _completed)
        {
            result = new ReadResult(Buffered(), isCanceled: false, _completed);
            return true;
        }

        result = default;
        return false;
    }

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var consumedBytes = (int)_returned.Slice(0, consumed).Length;
        _examinedAll = _returned.Slice(0, examined).Length == _returned.Length;
        _start += consumedBytes;
        _returned = default;
        if (_start == _end)
        {
            // Everything consumed: an idle connection keeps no buffer.
            ReturnBuffer();
        }
    }

    /// <inheritdoc />
    public override void CancelPendingRead()
    {
        _cancelNext = true;
        try
        {
            // Ends a receive that waits (it returns 0 bytes); the connection is being aborted.
            socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (SocketPipe.IsConnectionGone(ex))
        {
            // Already closed: nothing waits.
        }
    }

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        ReturnBuffer();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_buffer is null)
            {
                // Idle: wait for data without a buffer, then take one.
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            }
            else
            {
                MakeRoom();
            }

            var received = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            _end += received;
            _completed |= received == 0;
        }
        catch (Exception ex) when (SocketPipe.IsConnectionGone(ex) && !cancellationToken.IsCancellationRequested)
        {
            _completed = true;
        }

        _examinedAll = false;
        var canceled = _cancelNext;
        _cancelNext = false;
        return new ReadResult(Buffered(), canceled, _completed);
    }

    /// <summary>Room at the end of the buffer: what is consumed moves out, a full buffer doubles.</summary>
    private void MakeRoom()
    {
        if (_end < _buffer!.Length)
        {
            return;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private ReadOnlySequence<byte> Buffered()
    {
        _returned = _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
        return _returned;
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _start = _end = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// Collects writes in a pooled buffer; a flush hands what was written to a send queue
/// (<see cref="SocketSendQueue"/>), whose one work item sends every connection's pending bytes with a
/// non-blocking send, so what is written to one connection while the queue is busy goes out in one send
/// (as Kestrel's pipes and I/O queues do). A flush waits only while more than
/// <see cref="PauseThreshold"/> bytes wait to be sent (a client that does not read): then the write stalls,
/// which the transport's <c>MaxWriteStall</c> limits.
/// </summary>
internal sealed class SocketPipeWriter(Socket socket) : PipeWriter
{
    /// <summary>Bytes waiting to be sent beyond which a flush waits (Kestrel's default for its output pipe).</summary>
    internal const int PauseThreshold = 64 * 1024;

    private const int MinimumSize = 512;

    private readonly SocketSendQueue _queue = SocketSendQueue.Next();

    // The writer's side (one writer at a time): the buffer being written.
    private byte[]? _buffer;
    private int _written;

    // Shared with the send queue, under this object's lock (an internal type no other code locks on: no lock
    // object per connection): what waits to be sent.
    private byte[]? _pending;
    private int _pendingLength;
    private int _inFlightLength;
    private bool _scheduled;
    private bool _gone;
    private TaskCompletionSource<FlushResult>? _drained;
    private TaskCompletionSource? _sent;
    private volatile bool _cancelNext;

    /// <inheritdoc />
    public override void Advance(int bytes) => _written += bytes;

    /// <inheritdoc />
    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    /// <inheritdoc />
    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    /// <inheritdoc />
    public override void CancelPendingFlush()
    {
        TaskCompletionSource<FlushResult>? drained;
        lock (this)
        {
            drained = _drained;
            _drained = null;
            _cancelNext = drained is null;
        }

        drained?.TrySetResult(new FlushResult(isCanceled: true, isCompleted: false));
    }

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        TaskCompletionSource<FlushResult>? drained;
        lock (this)
        {
            _gone = true;
            drained = _drained;
            _drained = null;
            if (!_scheduled)
            {
                ReturnPending();
            }
        }

        ReturnBuffer();
        drained?.TrySetResult(new FlushResult(isCanceled: false, isCompleted: true));
    }

    /// <inheritdoc />
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_cancelNext)
        {
            _cancelNext = false;
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
        }

        Task<FlushResult>? waiting = null;
        bool schedule;
        lock (this)
        {
            if (_gone)
            {
                ReturnBuffer();
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
            }

            if (_written == 0)
            {
                return default;
            }

            if (_pending is null)
            {
                (_pending, _pendingLength) = (_buffer, _written);
                (_buffer, _written) = (null, 0);
            }
            else
            {
                Append(_buffer.AsSpan(0, _written));
                ReturnBuffer();
            }

            schedule = !_scheduled;
            _scheduled = true;
            if (_pendingLength + _inFlightLength > PauseThreshold)
            {
                waiting = (_drained ??= new TaskCompletionSource<FlushResult>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }

        if (schedule)
        {
            _queue.Schedule(this);
        }

        return waiting is null ? default : new ValueTask<FlushResult>(waiting.WaitAsync(cancellationToken));
    }

    /// <summary>Sends what waits, on the send queue's work item; an asynchronous send (the socket is full) continues on its own.</summary>
    internal void SendPending()
    {
        while (true)
        {
            byte[] chunk;
            int length;
            lock (this)
            {
                if (_pending is null || _gone)
                {
                    ReturnPending();
                    _scheduled = false;
                    _sent?.TrySetResult();
                    _sent = null;
                    return;
                }

                (chunk, length) = (_pending, _pendingLength);
                (_pending, _pendingLength) = (null, 0);
                _inFlightLength = length;
            }

            var sent = 0;
            try
            {
                while (sent < length)
                {
                    var n = socket.Send(chunk.AsSpan(sent, length - sent), SocketFlags.None, out var error);
                    if (error == SocketError.WouldBlock)
                    {
                        // The client does not take it now: the rest goes asynchronously, and what is written meanwhile waits behind it.
                        _ = SendRestAsync(chunk, sent, length);
                        return;
                    }

                    if (error != SocketError.Success)
                    {
                        break;
                    }

                    sent += n;
                }
            }
            catch (Exception ex) when (SocketPipe.IsConnectionGone(ex))
            {
                sent = -1;
            }

            ArrayPool<byte>.Shared.Return(chunk);
            if (sent < length)
            {
                Gone();
                return;
            }

            Drained();
        }
    }

    private async Task SendRestAsync(byte[] chunk, int sent, int length)
    {
        var ok = true;
        try
        {
            await socket.SendAsync(chunk.AsMemory(sent, length - sent), SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (SocketPipe.IsConnectionGone(ex))
        {
            ok = false;
        }

        ArrayPool<byte>.Shared.Return(chunk);
        if (!ok)
        {
            Gone();
            return;
        }

        Drained();
        SendPending();
    }

    /// <summary>
    /// Completes once everything flushed so far is sent (or the connection failed), or after
    /// <paramref name="timeout"/>: a connection that ends gracefully sends its last frames (the Close) before its FIN.
    /// </summary>
    internal Task WhenSentAsync(TimeSpan timeout)
    {
        lock (this)
        {
            if (!_scheduled || _gone)
            {
                return Task.CompletedTask;
            }

            _sent ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _sent.Task.WaitAsync(timeout).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Wakes a flush that waits once what is pending is under the threshold again.</summary>
    private void Drained()
    {
        TaskCompletionSource<FlushResult>? drained;
        lock (this)
        {
            _inFlightLength = 0;
            if (_drained is null || _pendingLength > PauseThreshold)
            {
                return;
            }

            drained = _drained;
            _drained = null;
        }

        drained.TrySetResult(default);
    }

    /// <summary>Sending failed unexpectedly: the connection is closed (its reader then sees it end, and the session closes).</summary>
    internal void Fail()
    {
        Gone();
        socket.Dispose();
    }

    /// <summary>The connection failed: nothing more is sent, and a flush that waits learns it is over.</summary>
    private void Gone()
    {
        TaskCompletionSource<FlushResult>? drained;
        TaskCompletionSource? sent;
        lock (this)
        {
            _gone = true;
            _scheduled = false;
            _inFlightLength = 0;
            ReturnPending();
            drained = _drained;
            _drained = null;
            sent = _sent;
            _sent = null;
        }

        drained?.TrySetResult(new FlushResult(isCanceled: false, isCompleted: true));
        sent?.TrySetResult();
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_pendingLength + bytes.Length > _pending!.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_pendingLength + bytes.Length, _pending.Length * 2));
            Buffer.BlockCopy(_pending, 0, larger, 0, _pendingLength);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = larger;
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;
    }

    private byte[] Reserve(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumSize));
        }
        else if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _written);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }

    private void ReturnBuffer()
    {
        _written = 0;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReturnPending()
    {
        if (_pending is { } pending)
        {
            _pending = null;
            _pendingLength = 0;
            ArrayPool<byte>.Shared.Return(pending);
        }
    }
}

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
