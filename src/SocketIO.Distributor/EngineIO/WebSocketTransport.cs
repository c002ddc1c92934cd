using System.Buffers;
using System.Net.WebSockets;
using System.Text.Unicode;
using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// WebSocket: one Engine.IO packet per WebSocket message. While idle it holds no receive buffer (it
/// waits with a zero-byte read) and no writer task (one is started when frames are queued).
/// Writes are cancelled when the session is closed for a fault, and a client that takes no frame for
/// <see cref="EngineOptions.MaxWriteStall"/> is cut; either way the TCP connection is aborted (reset),
/// so no unsent data or stuck writer outlives the session.
/// </summary>
internal sealed partial class WebSocketTransport : EngineTransport
{
    private const int InitialReceiveBuffer = 4096;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly WebSocket _socket;
    private readonly TimeProvider _time;
    private readonly Action<object> _abortConnection;
    private readonly object _abortState;
    private readonly TimeSpan _maxWriteStall;

    /// <summary>Cancels the write in progress: on a faulty close, or (by <see cref="_stallTimer"/>) after the stall limit.</summary>
    private readonly CancellationTokenSource _writes = new();

    /// <summary>
    /// Cancels <see cref="_writes"/> when a waiting write exceeds the stall limit. Created at the first write
    /// that has to wait (so an idle connection, or one whose writes all complete at once, holds no timer), then
    /// armed only while a write waits.
    /// </summary>
    private ITimer? _stallTimer;
    private bool _probing;
    private bool _writing;
    private bool _closeRequested;
    private bool _closed;
    private bool _cancelledByClose;
    private bool _requestEnded;

    /// <summary>Creates the transport of one accepted WebSocket.</summary>
    /// <param name="socket">The accepted socket.</param>
    /// <param name="probing">True for an upgrade candidate (it answers the probe before it carries frames).</param>
    /// <param name="maxWriteStall">How long a write may wait for the client before the connection is cut.</param>
    /// <param name="time">The clock of the stall limit and the close grace.</param>
    /// <param name="abortConnection">Resets the TCP connection (the request's abort), given <paramref name="abortState"/>:
    /// a static delegate and its state, so a connection holds no closure for it.</param>
    /// <param name="abortState">The connection (or request) that <paramref name="abortConnection"/> resets.</param>
    public WebSocketTransport(WebSocket socket, bool probing, TimeSpan maxWriteStall, TimeProvider time, Action<object> abortConnection, object abortState)
    {
        _socket = socket;
        _probing = probing;
        _maxWriteStall = maxWriteStall;
        _time = time;
        _abortConnection = abortConnection;
        _abortState = abortState;
    }

    public override string Name => "websocket";

    /// <summary>Receives until the socket closes. Runs for the life of the connection.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        var reason = "transport close";
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var first = await _socket.ReceiveAsync(Memory<byte>.Empty, aborted);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (first.EndOfMessage)
                {
                    // An empty message: engine.io closes the connection (it is no packet at all).
                    reason = "parse error";
                    if (!_probing)
                    {
                        Session.OnProtocolError("empty WebSocket message");
                    }

                    break;
                }

                if (!await ReceiveMessageAsync(first.MessageType, aborted))
                {
                    reason = "parse error";
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            reason = "transport error";
        }
        finally
        {
            MarkClosed();
            lock (_gate)
            {
                // From here on the request may end and its HttpContext be reused: never abort it after this.
                _requestEnded = true;
            }

            if (_probing)
            {
                Session.CancelUpgrade(this);
            }
            else
            {
                Session.OnTransportClosed(this, reason);
                Session.OnTransportFinished();
            }
        }
    }

    private async Task<bool> ReceiveMessageAsync(WebSocketMessageType type, CancellationToken aborted)
    {
        var limit = Session.Options.MaxPayload;
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBuffer);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }

                length += result.Count;
                if (length > limit)
                {
                    await CloseSocketAsync(WebSocketCloseStatus.MessageTooBig);
                    Session.OnProtocolError($"WebSocket message over maxPayload {limit}");
                    return false;
                }

                if (result.EndOfMessage)
                {
                    break;
                }
            }

            Session.Metrics.PacketsIn(1, length);
            var frame = buffer.AsMemory(0, length);
            if (type == WebSocketMessageType.Text && !Utf8.IsValid(frame.Span))
            {
                // RFC 6455 §8.1: a text message must be UTF-8 (the bare path's socket does not check it itself).
                await CloseSocketAsync(WebSocketCloseStatus.InvalidPayloadData);
                if (!_probing)
                {
                    Session.OnProtocolError("a WebSocket text message that is not UTF-8");
                }

                return false;
            }

            var error = type == WebSocketMessageType.Text
                ? EnginePacketCodec.DecodeText(frame, out var packet)
                : EnginePacketCodec.DecodeBinary(frame, Session.ProtocolVersion, out packet);
            if (error != DecodeError.None)
            {
                if (_probing)
                {
                    return false;
                }

                Session.OnProtocolError($"invalid WebSocket frame: {error}");
                return false;
            }

            return _probing ? await OnProbePacketAsync(packet) : Dispatch(packet);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool Dispatch(in EnginePacket packet)
    {
        Session.OnPacket(packet);
        return Session.IsOpen;
    }

    private async Task<bool> OnProbePacketAsync(EnginePacket packet)
    {
        if (packet.Type == EnginePacketType.Ping && packet.DataEquals("probe"u8))
        {
            await _socket.SendAsync(ProbeAnswer, WebSocketMessageType.Text, endOfMessage: true, _writes.Token);
            Session.OnProbed();
            return true;
        }

        if (packet.Type == EnginePacketType.Upgrade)
        {
            // A "5" for an upgrade abandoned meanwhile (timeout, session closed) ends this candidate only.
            return Session.CompleteUpgrade(this);
        }

        // Anything else during the probe: drop the candidate transport, keep the session on polling.
        return false;
    }

    /// <summary>The upgrade completed: this transport now carries the session's frames.</summary>
    public void EndProbe()
    {
        lock (_gate)
        {
            _probing = false;
        }
    }

    public override void OnFramesQueued()
    {
        lock (_gate)
        {
            if (_writing || _probing || _closed)
            {
                return;
            }

            _writing = true;
        }

        _ = WriteQueuedAsync();
    }

    private async Task WriteQueuedAsync()
    {
        try
        {
            while (true)
            {
                var frames = Session.TakeQueued(this);
                if (frames.Count == 0)
                {
                    lock (_gate)
                    {
                        if (!Session.HasQueued(this) || _closed)
                        {
                            _writing = false;
                            if (!_closeRequested)
                            {
                                return;
                            }
                        }
                        else
                        {
                            continue;
                        }
                    }

                    await CloseSocketAsync(WebSocketCloseStatus.NormalClosure);
                    return;
                }

                foreach (var frame in frames)
                {
                    var sending = SendFrameAsync(frame, _writes.Token);
                    if (!sending.IsCompleted)
                    {
                        // The client is not taking frames right now: from here it has MaxWriteStall to take this one.
                        // Armed only for a write that waits, so the fast path costs no timer.
                        var stallTimer = _stallTimer ??= _time.CreateTimer(
                            static s => ((WebSocketTransport)s!).OnWriteStalled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                        stallTimer.Change(_maxWriteStall, Timeout.InfiniteTimeSpan);
                        await sending;
                        stallTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    }
                    else
                    {
                        await sending;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            bool stalled;
            lock (_gate)
            {
                _writing = false;
                stalled = !_cancelledByClose && _writes.IsCancellationRequested;
            }

            MarkClosed();

            // No writer runs after this one (the transport is closed): a stall timer still armed has nothing left to cut.
            _stallTimer?.Dispose();
            if (stalled)
            {
                Log.WriteStalled(Session.Logger, Session.Id, _maxWriteStall);
                Session.Metrics.SlowClient();
            }

            Session.OnTransportClosed(this, stalled ? "slow client" : "transport error");
            AbortConnection();
        }
    }

    private ValueTask SendFrameAsync(EngineFrame frame, CancellationToken cancel)
    {
        if (!frame.IsBinary)
        {
            return _socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, cancel);
        }

        if (Session.ProtocolVersion == EngineProtocolVersion.V4)
        {
            return _socket.SendAsync(frame.Bytes, WebSocketMessageType.Binary, endOfMessage: true, cancel);
        }

        // EIO3 binary frames start with the packet type byte.
        var bytes = new byte[frame.Length + 1];
        bytes[0] = (byte)EnginePacketType.Message;
        frame.Bytes.Span.CopyTo(bytes.AsSpan(1));
        return _socket.SendAsync((ReadOnlyMemory<byte>)bytes, WebSocketMessageType.Binary, endOfMessage: true, cancel);
    }

    /// <summary>
    /// Resets the TCP connection at once (unsent data is dropped, the client sees the connection end),
    /// unless the request is already over. Safe to call more than once.
    /// </summary>
    private void AbortConnection()
    {
        lock (_gate)
        {
            if (_requestEnded)
            {
                return;
            }

            _closed = true;
            _cancelledByClose = true;
            _writes.Cancel();

            // Under the lock that the receive loop takes before the request can end: the HttpContext is still this request's.
            _abortConnection(_abortState);
        }
    }

    public override void Close(bool flush)
    {
        bool startWriter;
        bool closeNow;
        if (!flush)
        {
            // A faulty close (slow client, ping timeout, protocol error): a write stuck on the client ends now.
            CancelWrites();
        }

        lock (_gate)
        {
            _closeRequested = true;

            // Frames queued by another thread that has not yet called OnFramesQueued still go out.
            startWriter = flush && !_writing && !_probing && !_closed && Session.HasQueued(this);
            _writing |= startWriter;
            closeNow = !_writing || !flush;
        }

        if (startWriter)
        {
            _ = WriteQueuedAsync();
        }
        else if (closeNow)
        {
            _ = CloseSocketAsync(WebSocketCloseStatus.NormalClosure);
        }
    }

    private async Task CloseSocketAsync(WebSocketCloseStatus status)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CloseGrace, _time);
            await _socket.CloseOutputAsync(status, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            AbortConnection();
            return;
        }

        // The client should answer with its close frame, which ends the receive loop; one that does
        // not is cut off (TCP reset) so the request (and a server shutdown waiting on it) can finish.
        await Task.Delay(CloseGrace, _time);
        AbortConnection();
    }

    /// <summary>The stall timer fired: the waiting write is cancelled, and the writer reports a slow client.</summary>
    private void OnWriteStalled() => CancelWrite();

    private void CancelWrites()
    {
        lock (_gate)
        {
            _cancelledByClose = true;
        }

        CancelWrite();
    }

    private void CancelWrite()
    {
        try
        {
            _writes.Cancel();
        }
        catch (AggregateException)
        {
            // A callback of the cancelled write threw; the write is over either way.
        }
    }

    private void MarkClosed()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private static readonly ReadOnlyMemory<byte> ProbeAnswer = "3probe"u8.ToArray();
}
