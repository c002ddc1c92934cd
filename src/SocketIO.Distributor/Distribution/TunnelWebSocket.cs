using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// The holder's end of a WebSocket that reached another distributor: a <see cref="WebSocket"/> whose
/// receive side is fed by the <see cref="TunnelFrame"/>s that distributor relays, and whose sends are
/// published back to it, so that the Engine.IO WebSocket transport (probe, upgrade, frames, close) runs
/// unchanged. Its inbound queue is bounded: a tunnel that falls behind is aborted.
/// </summary>
internal sealed class TunnelWebSocket : WebSocket
{
    private readonly Channel<TunnelFrame> _inbound;
    private readonly Action<TunnelFrameKind, ReadOnlyMemory<byte>> _send;
    private readonly Action<string> _abort;
    private readonly object _gate = new();
    private WebSocketState _state = WebSocketState.Open;
    private TunnelFrame? _current;
    private int _offset;
    private ArrayBufferWriter<byte>? _fragments;

    /// <param name="capacity">The most messages from the client that may wait to be received.</param>
    /// <param name="send">Publishes one message (or the close) to the relaying distributor.</param>
    /// <param name="abort">Tells the relaying distributor to cut the client's connection (a <see cref="RelayCancel"/>), with the reason.</param>
    public TunnelWebSocket(int capacity, Action<TunnelFrameKind, ReadOnlyMemory<byte>> send, Action<string> abort)
    {
        _inbound = Channel.CreateBounded<TunnelFrame>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _send = send;
        _abort = abort;
    }

    public override WebSocketCloseStatus? CloseStatus { get; } = null;

    public override string? CloseStatusDescription => null;

    public override WebSocketState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public override string? SubProtocol => null;

    /// <summary>A message from the client, relayed. False when the queue is full (the caller aborts the tunnel).</summary>
    public bool Deliver(TunnelFrame frame) => _inbound.Writer.TryWrite(frame);

    /// <summary>The relaying side let go (client gone, tunnel broken): receives fail from now on.</summary>
    public void OnCancelled()
    {
        lock (_gate)
        {
            if (_state is WebSocketState.Closed or WebSocketState.Aborted)
            {
                return;
            }

            _state = WebSocketState.Aborted;
        }

        _inbound.Writer.TryComplete();
    }

    public override void Abort()
    {
        lock (_gate)
        {
            if (_state is WebSocketState.Closed or WebSocketState.Aborted)
            {
                return;
            }

            _state = WebSocketState.Aborted;
        }

        _inbound.Writer.TryComplete();
        _abort("aborted");
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            switch (_state)
            {
                case WebSocketState.Open:
                    _state = WebSocketState.CloseSent;
                    break;
                case WebSocketState.CloseReceived:
                    _state = WebSocketState.Closed;
                    break;
                default:
                    return Task.CompletedTask;
            }
        }

        _send(TunnelFrameKind.Close, ReadOnlyMemory<byte>.Empty);
        return Task.CompletedTask;
    }

    public override void Dispose()
    {
        // The client closed: answer its close. A transport that ends without a close (an error) must
        // not leave the client's connection open: abort it.
        WebSocketState state;
        lock (_gate)
        {
            state = _state;
            if (state is WebSocketState.CloseSent or WebSocketState.CloseReceived)
            {
                _state = WebSocketState.Closed;
            }
        }

        if (state == WebSocketState.CloseReceived)
        {
            _send(TunnelFrameKind.Close, ReadOnlyMemory<byte>.Empty);
        }
        else if (state == WebSocketState.Open)
        {
            Abort();
        }
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_current is null)
        {
            TunnelFrame? next;
            while (!_inbound.Reader.TryRead(out next))
            {
                if (!await _inbound.Reader.WaitToReadAsync(cancellationToken))
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The tunnel to the client's distributor ended.");
                }
            }

            if (next.Kind == TunnelFrameKind.Close)
            {
                lock (_gate)
                {
                    _state = _state == WebSocketState.CloseSent ? WebSocketState.Closed : WebSocketState.CloseReceived;
                }

                return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true);
            }

            _current = next;
            _offset = 0;
        }

        var frame = _current;
        var type = frame.Kind == TunnelFrameKind.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        var remaining = frame.Payload.Length - _offset;
        if (buffer.Length == 0 && remaining > 0)
        {
            // A zero-byte read waits for a message without taking any of it.
            return new ValueWebSocketReceiveResult(0, type, endOfMessage: false);
        }

        var count = Math.Min(buffer.Length, remaining);
        frame.Payload.Span.Slice(_offset, count).CopyTo(buffer.Span);
        _offset += count;
        var end = _offset == frame.Payload.Length;
        if (end)
        {
            _current = null;
        }

        return new ValueWebSocketReceiveResult(count, type, end);
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken);
        return new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_state is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                return ValueTask.FromException(new WebSocketException(WebSocketError.InvalidState, $"The tunnel is {_state}."));
            }

            if (!endOfMessage || _fragments is not null)
            {
                _fragments ??= new ArrayBufferWriter<byte>();
                _fragments.Write(buffer.Span);
                if (!endOfMessage)
                {
                    return ValueTask.CompletedTask;
                }

                buffer = _fragments.WrittenMemory.ToArray();
                _fragments = null;
            }
        }

        _send(messageType == WebSocketMessageType.Binary ? TunnelFrameKind.Binary : TunnelFrameKind.Text, buffer);
        return ValueTask.CompletedTask;
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();
}
