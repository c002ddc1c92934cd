using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The server side of one WebSocket (RFC 6455, no extensions), read and written straight on a Kestrel
/// connection's pipes: the bare path's socket. Beside <c>WebSocket.CreateFromStream</c> over the same
/// connection it drops two stream adapters, the socket's own header buffers and send mutex and two
/// awaiting state machines per connection, and a frame is written into the output pipe once (no copy
/// into a send buffer first). Pings are answered, a received Close is answered with the same code, and
/// a protocol error (unmasked or reserved-bit frames, a bad control frame, a continuation out of place)
/// sends Close 1002 and fails the read with a <see cref="WebSocketException"/>.
/// </summary>
/// <remarks>
/// One reader and one writer at a time, as for any <see cref="WebSocket"/>; a Pong or a Close answer
/// from the reader waits for a write in progress (<see cref="_sendLock"/>).
/// </remarks>
internal sealed class PipeWebSocket : WebSocket
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly object _stateGate = new();

    private WebSocketState _state = WebSocketState.Open;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;
    private bool _closeSent;

    // The data frame being read: its payload bytes not yet returned, its mask and where in it the next byte is.
    private bool _inFrame;
    private long _frameRemaining;
    private bool _frameFin;
    private int _maskKey;
    private int _maskOffset;

    // The message being read (its first frame's type) and whether a continuation is expected.
    private WebSocketMessageType _messageType;
    private bool _inMessage;

    // The message being sent: true after a frame without endOfMessage (the next one is a continuation).
    private bool _sendingContinuation;

    /// <summary>Creates the socket over a connection whose 101 answer is already written.</summary>
    /// <param name="transport">The connection's pipes.</param>
    public PipeWebSocket(IDuplexPipe transport)
    {
        _input = transport.Input;
        _output = transport.Output;
    }

    /// <inheritdoc />
    public override WebSocketCloseStatus? CloseStatus => _closeStatus;

    /// <inheritdoc />
    public override string? CloseStatusDescription => _closeDescription;

    /// <inheritdoc />
    public override WebSocketState State => _state;

    /// <inheritdoc />
    public override string? SubProtocol => null;

    /// <inheritdoc />
    public override void Abort()
    {
        lock (_stateGate)
        {
            if (_state is WebSocketState.Closed or WebSocketState.Aborted)
            {
                return;
            }

            _state = WebSocketState.Aborted;
        }

        _input.CancelPendingRead();
        _output.CancelPendingFlush();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        lock (_stateGate)
        {
            if (_state is not (WebSocketState.Closed or WebSocketState.Aborted))
            {
                _state = WebSocketState.Closed;
            }
        }
    }

    /// <inheritdoc />
    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        ReceiveAsync(buffer.AsMemory(), cancellationToken).AsTask().ContinueWith(
            static t =>
            {
                var r = t.GetAwaiter().GetResult();
                return new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <inheritdoc />
    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken = default) =>
        SendAsync(buffer, messageType, (messageFlags & WebSocketMessageFlags.EndOfMessage) != 0, cancellationToken);

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        if (messageType is not (WebSocketMessageType.Text or WebSocketMessageType.Binary))
        {
            throw new ArgumentException("Only Text and Binary messages are sent with SendAsync; use CloseOutputAsync for Close.", nameof(messageType));
        }

        var state = _state;
        if (state is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return ValueTask.FromException(new WebSocketException(WebSocketError.InvalidState, $"The WebSocket is {state}: nothing can be sent."));
        }

        var opcode = _sendingContinuation ? WebSocketOpcode.Continuation : messageType == WebSocketMessageType.Text ? WebSocketOpcode.Text : WebSocketOpcode.Binary;
        _sendingContinuation = !endOfMessage;
        return SendFrameAsync(opcode, endOfMessage, buffer, cancellationToken);
    }

    /// <summary>Writes one frame and flushes it; completes at once (no allocation) when neither the lock nor the flush waits.</summary>
    private ValueTask SendFrameAsync(WebSocketOpcode opcode, bool fin, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!_sendLock.Wait(0))
        {
            return SendFrameAfterLockAsync(opcode, fin, payload, cancellationToken);
        }

        ValueTask<FlushResult> flush;
        try
        {
            WebSocketFrames.Write(_output, opcode, fin, payload.Span);
            flush = _output.FlushAsync(cancellationToken);
        }
        catch
        {
            _sendLock.Release();
            throw;
        }

        if (flush.IsCompletedSuccessfully)
        {
            var result = flush.Result;
            _sendLock.Release();
            return result.IsCanceled ? ValueTask.FromException(WriteCancelled()) : default;
        }

        return AwaitFlushAsync(flush);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            var result = await flush.ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw WriteCancelled();
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendFrameAfterLockAsync(WebSocketOpcode opcode, bool fin, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            WebSocketFrames.Write(_output, opcode, fin, payload.Span);
            var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw WriteCancelled();
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <inheritdoc />
    public override async Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        lock (_stateGate)
        {
            if (_closeSent || _state is WebSocketState.Closed or WebSocketState.Aborted)
            {
                return;
            }

            _closeSent = true;
            _state = _state == WebSocketState.CloseReceived ? WebSocketState.Closed : WebSocketState.CloseSent;
        }

        await SendFrameAsync(WebSocketOpcode.Close, fin: true, ClosePayload(closeStatus, statusDescription), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        await CloseOutputAsync(closeStatus, statusDescription, cancellationToken).ConfigureAwait(false);
        var discard = new byte[256];
        while (_state == WebSocketState.CloseSent)
        {
            var result = await ReceiveAsync(discard.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = _state;
            if (state is not (WebSocketState.Open or WebSocketState.CloseSent))
            {
                throw new WebSocketException(WebSocketError.InvalidState, $"The WebSocket is {state}: nothing more can be received.");
            }

            if (_inFrame && (buffer.IsEmpty || _frameRemaining == 0))
            {
                if (_frameRemaining > 0)
                {
                    // A zero-byte read: data is on its way.
                    return new ValueWebSocketReceiveResult(0, _messageType, endOfMessage: false);
                }

                return EndFrame(0);
            }

            var read = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var data = read.Buffer;
            if (read.IsCanceled)
            {
                _input.AdvanceTo(data.Start);
                throw new WebSocketException(WebSocketError.InvalidState, "The WebSocket was aborted.");
            }

            if (_inFrame)
            {
                if (data.IsEmpty)
                {
                    _input.AdvanceTo(data.Start);
                    throw ClosedPrematurely();
                }

                var count = (int)Math.Min(Math.Min(_frameRemaining, buffer.Length), data.Length);
                var target = buffer.Span[..count];
                data.Slice(0, count).CopyTo(target);
                _input.AdvanceTo(data.GetPosition(count));
                _maskOffset = WebSocketFrames.Unmask(target, _maskKey, _maskOffset);
                _frameRemaining -= count;
                return _frameRemaining == 0 ? EndFrame(count) : new ValueWebSocketReceiveResult(count, _messageType, endOfMessage: false);
            }

            var error = WebSocketFrames.TryReadHeader(data, out var header);
            if (error == WebSocketFrames.HeaderError.NeedMore
                || (error == WebSocketFrames.HeaderError.None && header.IsControl && data.Length < header.HeaderLength + header.PayloadLength))
            {
                // A header (or a control frame, read whole) not complete yet.
                _input.AdvanceTo(data.Start, data.End);
                if (read.IsCompleted)
                {
                    throw ClosedPrematurely();
                }

                continue;
            }

            if (error != WebSocketFrames.HeaderError.None)
            {
                _input.AdvanceTo(data.Start, data.End);
                throw await FailAsync($"invalid frame ({error})").ConfigureAwait(false);
            }

            if (header.IsControl)
            {
                var payload = data.Slice(header.HeaderLength, header.PayloadLength).ToArray();
                _input.AdvanceTo(data.GetPosition(header.HeaderLength + header.PayloadLength));
                WebSocketFrames.Unmask(payload, header.MaskKey, 0);
                if (header.Opcode == WebSocketOpcode.Ping)
                {
                    await AnswerPingAsync(payload).ConfigureAwait(false);
                    continue;
                }

                if (header.Opcode == WebSocketOpcode.Pong)
                {
                    continue;
                }

                return await OnCloseAsync(payload).ConfigureAwait(false);
            }

            var continuation = header.Opcode == WebSocketOpcode.Continuation;
            if (continuation != _inMessage)
            {
                _input.AdvanceTo(data.Start, data.End);
                throw await FailAsync(continuation ? "a continuation frame outside a message" : "a new message inside a fragmented one").ConfigureAwait(false);
            }

            _input.AdvanceTo(data.GetPosition(header.HeaderLength));
            if (!continuation)
            {
                _messageType = header.Opcode == WebSocketOpcode.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                _inMessage = true;
            }

            _inFrame = true;
            _frameRemaining = header.PayloadLength;
            _frameFin = header.Fin;
            _maskKey = header.MaskKey;
            _maskOffset = 0;
        }
    }

    /// <summary>The current frame's payload is all returned: the result of the read that returned its last <paramref name="count"/> bytes.</summary>
    private ValueWebSocketReceiveResult EndFrame(int count)
    {
        _inFrame = false;
        var endOfMessage = _frameFin;
        if (endOfMessage)
        {
            _inMessage = false;
        }

        return new ValueWebSocketReceiveResult(count, _messageType, endOfMessage);
    }

    private async Task AnswerPingAsync(byte[] payload)
    {
        if (_state == WebSocketState.Open)
        {
            try
            {
                await SendFrameAsync(WebSocketOpcode.Pong, fin: true, payload, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
                // The connection is going away: its read ends next.
            }
        }
    }

    /// <summary>A Close arrived: answers it with the same code unless a Close was sent already (§5.5.1).</summary>
    private async Task<ValueWebSocketReceiveResult> OnCloseAsync(byte[] payload)
    {
        WebSocketCloseStatus status;
        string? description = null;
        if (payload.Length == 0)
        {
            status = WebSocketCloseStatus.Empty;
        }
        else if (payload.Length == 1)
        {
            throw await FailAsync("a Close frame with a 1-byte payload").ConfigureAwait(false);
        }
        else
        {
            status = (WebSocketCloseStatus)BinaryPrimitives.ReadUInt16BigEndian(payload);
            try
            {
                description = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload, 2, payload.Length - 2);
            }
            catch (DecoderFallbackException)
            {
                throw await FailAsync("a Close reason that is not UTF-8", WebSocketCloseStatus.InvalidPayloadData).ConfigureAwait(false);
            }
        }

        bool answer;
        lock (_stateGate)
        {
            _closeStatus = status;
            _closeDescription = description;
            answer = !_closeSent;
            _closeSent = true;
            _state = WebSocketState.Closed;
        }

        if (answer)
        {
            try
            {
                var echo = status == WebSocketCloseStatus.Empty ? ReadOnlyMemory<byte>.Empty : payload.AsMemory(0, 2);
                await SendFrameAsync(WebSocketOpcode.Close, fin: true, echo, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
                // The connection is going away anyway.
            }
        }

        return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true);
    }

    /// <summary>A protocol error: sends Close (1002 unless said otherwise) if none was sent, and returns the exception the read fails with.</summary>
    private async Task<WebSocketException> FailAsync(string what, WebSocketCloseStatus status = WebSocketCloseStatus.ProtocolError)
    {
        bool send;
        lock (_stateGate)
        {
            send = !_closeSent && _state is WebSocketState.Open or WebSocketState.CloseReceived;
            _closeSent = true;
            _state = WebSocketState.Aborted;
        }

        if (send)
        {
            try
            {
                await SendFrameAsync(WebSocketOpcode.Close, fin: true, ClosePayload(status, null), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
                // The connection is going away anyway.
            }
        }

        return new WebSocketException(WebSocketError.Faulted, $"WebSocket protocol error: {what}.");
    }

    private WebSocketException ClosedPrematurely()
    {
        lock (_stateGate)
        {
            _state = WebSocketState.Aborted;
        }

        return new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The remote party closed the WebSocket connection without completing the close handshake.");
    }

    /// <summary>A flush that ended cancelled (<see cref="PipeWriter.CancelPendingFlush"/>, from <see cref="Abort"/>) fails the write as a cancelled token would.</summary>
    private static OperationCanceledException WriteCancelled() => new("The write was cancelled.");

    private static byte[] ClosePayload(WebSocketCloseStatus status, string? description)
    {
        if (status == WebSocketCloseStatus.Empty)
        {
            return [];
        }

        var reason = string.IsNullOrEmpty(description) ? [] : Encoding.UTF8.GetBytes(description);
        var payload = new byte[2 + Math.Min(reason.Length, WebSocketFrames.MaxControlPayload - 2)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        reason.AsSpan(0, payload.Length - 2).CopyTo(payload.AsSpan(2));
        return payload;
    }
}
