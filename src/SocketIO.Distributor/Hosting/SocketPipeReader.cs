using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace SocketIO.Distributor.Hosting;

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
