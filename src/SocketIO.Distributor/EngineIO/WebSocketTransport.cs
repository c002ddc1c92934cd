using System.Buffers;
using System.Net.WebSockets;
using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// WebSocket: one Engine.IO packet per WebSocket message. While idle it holds no receive buffer (it
/// waits with a zero-byte read) and no writer task (one is started when frames are queued).
/// </summary>
internal sealed class WebSocketTransport(WebSocket socket, bool probing) : EngineTransport
{
    private const int InitialReceiveBuffer = 4096;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private bool _probing = probing;
    private bool _writing;
    private bool _closeRequested;
    private bool _closed;

    public override string Name => "websocket";

    /// <summary>Receives until the socket closes. Runs for the life of the connection.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        var reason = "transport close";
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, aborted);
                if (first.MessageType == WebSocketMessageType.Close)
                {
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

                var result = await socket.ReceiveAsync(buffer.AsMemory(length), aborted);
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

            EngineMetrics.PacketsIn.Add(1);
            EngineMetrics.BytesIn.Add(length);
            var frame = buffer.AsMemory(0, length);
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
            await socket.SendAsync(ProbeAnswer, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
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
                    await SendFrameAsync(frame);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            lock (_gate)
            {
                _writing = false;
            }

            MarkClosed();
            Session.OnTransportClosed(this, "transport error");
        }
    }

    private ValueTask SendFrameAsync(EngineFrame frame)
    {
        if (!frame.IsBinary)
        {
            return socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }

        if (Session.ProtocolVersion == EngineProtocolVersion.V4)
        {
            return socket.SendAsync(frame.Bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        }

        // EIO3 binary frames start with the packet type byte.
        var bytes = new byte[frame.Length + 1];
        bytes[0] = (byte)EnginePacketType.Message;
        frame.Bytes.Span.CopyTo(bytes.AsSpan(1));
        return socket.SendAsync((ReadOnlyMemory<byte>)bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
    }

    public override void Close(bool flush)
    {
        bool startWriter;
        bool closeNow;
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
            using var timeout = new CancellationTokenSource(CloseGrace);
            await socket.CloseOutputAsync(status, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            socket.Abort();
            return;
        }

        // The client should answer with its close frame, which ends the receive loop; one that does
        // not is cut off so the request (and a server shutdown waiting on it) can finish.
        _ = Task.Delay(CloseGrace).ContinueWith(static (_, s) => ((WebSocket)s!).Abort(), socket, TaskScheduler.Default);
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
