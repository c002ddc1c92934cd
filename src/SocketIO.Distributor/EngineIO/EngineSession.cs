using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// One Engine.IO connection: its id, its current transport (polling or WebSocket, which an upgrade
/// swaps), its bounded outbound queue and its heartbeat. Thread-safe: <see cref="Send(EngineFrame)"/>
/// and <see cref="Close"/> may be called from any thread.
/// </summary>
public sealed partial class EngineSession
{
    private readonly object _gate = new();
    private readonly EngineOptions _options;
    private readonly IEngineConnectionHandler _handler;
    private readonly EngineSessionRegistry _registry;
    private readonly ILogger _logger;
    private List<EngineFrame> _queue = [];
    private long _queuedBytes;
    private EngineTransport _transport;
    private SessionState _state = SessionState.Open;

    internal EngineSession(
        string id,
        EngineProtocolVersion version,
        EngineHandshake handshake,
        EngineTransport transport,
        EngineOptions options,
        IEngineConnectionHandler handler,
        EngineSessionRegistry registry,
        TimeProvider time,
        ILogger logger)
    {
        Id = id;
        ProtocolVersion = version;
        Handshake = handshake;
        _transport = transport;
        _options = options;
        _handler = handler;
        _registry = registry;
        _logger = logger;
        _heartbeat = time.CreateTimer(static s => ((EngineSession)s!).OnHeartbeatTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private enum SessionState
    {
        Open,
        Closing,
        Closed,
    }

    /// <summary>The session id (<c>sid</c>): 128 random bits, base64url.</summary>
    public string Id { get; }

    /// <summary>The Engine.IO revision the client speaks.</summary>
    public EngineProtocolVersion ProtocolVersion { get; }

    /// <summary>The client's first request.</summary>
    public EngineHandshake Handshake { get; }

    /// <summary>The current transport's name: <c>polling</c> or <c>websocket</c>.</summary>
    public string TransportName => _transport.Name;

    /// <summary>True until the session closes.</summary>
    public bool IsOpen => _state == SessionState.Open;

    /// <summary>State that the layer above keeps with this session.</summary>
    public object? UserState { get; set; }

    internal EngineTransport Transport => _transport;

    internal EngineOptions Options => _options;

    internal ILogger Logger => _logger;

    internal EngineMetrics Metrics => _registry.Metrics;

    /// <summary>Queues a frame for the client. Returns false if the session is closed or the client is too slow (it is then closed).</summary>
    /// <param name="frame">The frame; its bytes must not change afterwards (they may be shared).</param>
    /// <returns>True if queued.</returns>
    public bool Send(EngineFrame frame) => Send(frame, closeWhenFull: true);

    /// <summary>Queues several frames at once, in order, with no other frame between them.</summary>
    /// <param name="frames">The frames.</param>
    /// <returns>True if queued.</returns>
    public bool Send(ReadOnlySpan<EngineFrame> frames) => Send(frames, closeWhenFull: true);

    /// <summary>
    /// Queues several frames at once, in order. When the client's queue is full, a too-slow client is
    /// disconnected if <paramref name="closeWhenFull"/>; otherwise the frames are dropped (volatile).
    /// </summary>
    /// <param name="frames">The frames.</param>
    /// <param name="closeWhenFull">True to close a too-slow client; false to drop the frames instead.</param>
    /// <returns>True if queued.</returns>
    public bool Send(ReadOnlySpan<EngineFrame> frames, bool closeWhenFull)
    {
        EngineTransport transport;
        lock (_gate)
        {
            if (_state != SessionState.Open)
            {
                return false;
            }

            if (!closeWhenFull)
            {
                long bytes = 0;
                foreach (var frame in frames)
                {
                    bytes += frame.Length;
                }

                if (_queue.Count + frames.Length > _options.MaxQueuedPackets || _queuedBytes + bytes > _options.MaxQueuedBytes)
                {
                    return false;
                }
            }

            long added = 0;
            foreach (var frame in frames)
            {
                _queue.Add(frame);
                added += frame.Length;
            }

            _queuedBytes += added;
            if (IsOverLimit())
            {
                return CloseSlowClientLocked();
            }

            transport = _transport;
            Metrics.FramesOut(frames.Length, added);
        }

        transport.OnFramesQueued();
        return true;
    }

    /// <summary>Queues a frame for the client, disconnecting a client that is too slow when <paramref name="closeWhenFull"/>; otherwise the frame is dropped (volatile).</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="closeWhenFull">True to close a too-slow client; false to drop the frame instead.</param>
    /// <returns>True if queued.</returns>
    public bool Send(EngineFrame frame, bool closeWhenFull) => Send(new ReadOnlySpan<EngineFrame>(in frame), closeWhenFull);

    /// <summary>
    /// Closes the session after writing what is already queued. The handler's
    /// <see cref="IEngineConnectionHandler.OnClose"/> runs with <paramref name="reason"/>.
    /// </summary>
    /// <param name="reason">Why (for the layer above and the log).</param>
    public void Close(string reason = "forced close") => CloseCore(reason, flush: true);

    /// <summary>The number of frames waiting to be written (for diagnostics).</summary>
    public int QueuedFrames
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    internal bool IsClosing => _state != SessionState.Open;

    /// <summary>Takes every queued frame (the transport writes them). Returns an empty list when none.</summary>
    internal List<EngineFrame> TakeQueued(EngineTransport requester)
    {
        lock (_gate)
        {
            if (_queue.Count == 0 || !ReferenceEquals(requester, _transport))
            {
                return [];
            }

            var taken = _queue;
            _queue = [];
            _queuedBytes = 0;
            return taken;
        }
    }

    internal bool HasQueued(EngineTransport requester)
    {
        lock (_gate)
        {
            return _queue.Count > 0 && ReferenceEquals(requester, _transport);
        }
    }

    /// <summary>Called by a transport for every packet the client sent, in order.</summary>
    internal void OnPacket(in EnginePacket packet)
    {
        switch (packet.Type)
        {
            case EnginePacketType.Message:
                if (IsOpen)
                {
                    _handler.OnMessage(this, packet);
                }

                break;
            case EnginePacketType.Pong:
                OnPong();
                break;
            case EnginePacketType.Ping:
                OnClientPing(packet);
                break;
            case EnginePacketType.Close:
                // The client is leaving: a poll still pending is answered with a noop, not a close.
                (_transport as PollingTransport)?.Discard();
                CloseCore("transport close", flush: false);
                break;
            case EnginePacketType.Noop:
                break;
            default:
                OnProtocolError($"unexpected {packet.Type} packet");
                break;
        }
    }

    /// <summary>The client broke the protocol: close this session only, and log why.</summary>
    internal void OnProtocolError(string detail)
    {
        Log.ProtocolError(_logger, Id, detail);
        CloseCore("parse error", flush: false);
    }

    /// <summary>The transport's connection is gone (socket closed, request aborted).</summary>
    internal void OnTransportClosed(EngineTransport transport, string reason)
    {
        if (ReferenceEquals(transport, _transport))
        {
            CloseCore(reason, flush: false);
        }
    }

    internal void CloseCore(string reason, bool flush)
    {
        EngineTransport transport;
        lock (_gate)
        {
            if (_state != SessionState.Open)
            {
                return;
            }

            _state = SessionState.Closing;
            if (!flush)
            {
                _queue.Clear();
                _queuedBytes = 0;
            }

            transport = _transport;
        }

        StopHeartbeat();
        AbortUpgrade();
        transport.Close(flush);
        Log.SessionClosed(_logger, Id, reason);
        _handler.OnClose(this, reason);
    }

    /// <summary>Marks the session fully closed once the transport has written its last frame.</summary>
    internal void OnTransportFinished()
    {
        lock (_gate)
        {
            _state = SessionState.Closed;
        }

        // Until now a polling client could still collect the last frames with its next GET.
        _registry.Remove(this);
    }

    private bool IsOverLimit() => _queue.Count > _options.MaxQueuedPackets || _queuedBytes > _options.MaxQueuedBytes;

    private bool CloseSlowClientLocked()
    {
        // Called under the lock: release it before closing via the thread pool.
        _queue.Clear();
        _queuedBytes = 0;
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.CloseSlowClient(), this, preferLocal: false);
        return false;
    }

    private void CloseSlowClient()
    {
        Log.SlowClient(_logger, Id, _options.MaxQueuedPackets, _options.MaxQueuedBytes);
        Metrics.SlowClient();
        CloseCore("slow client", flush: false);
    }
}
