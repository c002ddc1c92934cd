using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace SocketIO.Distributor.Hosting;

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
