using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace SocketIO.Distributor.Hosting;

/// <summary>
/// The pipes of a connection the bare transport serves itself (<see cref="BareSocketListener"/>): a reader
/// and a writer straight on the socket, without <see cref="Pipe"/>s, a memory pool or a send loop. An idle
/// connection holds no buffer (the reader waits with a zero-byte receive and takes a pooled buffer when data
/// is there; the writer takes one per write and gives it back once sent). Writes are sent on the writer's
/// thread with a non-blocking send; only what the socket cannot take at once is sent asynchronously.
/// One reader and one writer at a time (the WebSocket over it serializes its sends).
/// </summary>
internal sealed class SocketPipe : IDuplexPipe
{
    /// <summary>Takes the socket's reads and writes (sets it non-blocking: a send never blocks the writer's thread).</summary>
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

/// <summary>Collects a write in a pooled buffer and sends it on flush, on the caller's thread when the socket takes it at once.</summary>
internal sealed class SocketPipeWriter(Socket socket) : PipeWriter
{
    private const int MinimumSize = 512;

    private byte[]? _buffer;
    private int _written;
    private bool _gone;
    private volatile bool _cancelNext;

    /// <inheritdoc />
    public override void Advance(int bytes) => _written += bytes;

    /// <inheritdoc />
    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    /// <inheritdoc />
    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    /// <inheritdoc />
    public override void CancelPendingFlush() => _cancelNext = true;

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        _gone = true;
        ReturnBuffer();
    }

    /// <inheritdoc />
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_written == 0 || _gone)
        {
            ReturnBuffer();
            return new ValueTask<FlushResult>(Result());
        }

        var sent = 0;
        try
        {
            while (sent < _written)
            {
                var n = socket.Send(_buffer.AsSpan(sent, _written - sent), SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    // The socket's send buffer is full (a slow client): the rest goes when it has room.
                    return SendRestAsync(sent, cancellationToken);
                }

                if (error != SocketError.Success)
                {
                    _gone = true;
                    break;
                }

                sent += n;
            }
        }
        catch (Exception ex) when (SocketPipe.IsConnectionGone(ex))
        {
            _gone = true;
        }

        ReturnBuffer();
        return new ValueTask<FlushResult>(Result());
    }

    private async ValueTask<FlushResult> SendRestAsync(int sent, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(_buffer.AsMemory(sent, _written - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SocketPipe.IsConnectionGone(ex) && !cancellationToken.IsCancellationRequested)
        {
            _gone = true;
        }
        catch (OperationCanceledException)
        {
            // Cancelled by the caller (a write stalled past its limit): it aborts the connection, as with Kestrel's pipe.
            ReturnBuffer();
            throw;
        }

        ReturnBuffer();
        return Result();
    }

    private FlushResult Result()
    {
        var canceled = _cancelNext;
        _cancelNext = false;
        return new FlushResult(canceled, isCompleted: _gone);
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
}
