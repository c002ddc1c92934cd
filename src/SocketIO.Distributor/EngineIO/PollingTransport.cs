using System.Buffers;
using Microsoft.AspNetCore.Http;
using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// HTTP long-polling: a GET waits until frames are queued and returns them as one payload; a POST
/// carries the client's packets. One GET and one POST at a time: an overlapping request is a
/// protocol error that closes the session.
/// </summary>
internal sealed class PollingTransport(TimeProvider time) : EngineTransport
{
    private static readonly EngineFrame CloseFrame = EngineFrame.Bare(EnginePacketType.Close);
    private static readonly EngineFrame NoopFrame = EngineFrame.Bare(EnginePacketType.Noop);

    /// <summary>Stands for "answer 400": the poll waited while the session upgraded to WebSocket.</summary>
    private static readonly List<EngineFrame> RefusedAfterUpgrade = [];

    /// <summary>How long a poll sent during an upgrade waits after the probe for the client's <c>5</c> (engine.io checks every 100 ms).</summary>
    private static readonly TimeSpan ProbeGrace = TimeSpan.FromMilliseconds(100);

    private readonly object _gate = new();
    private TaskCompletionSource? _pendingPoll;
    private bool _getActive;
    private bool _postActive;
    private bool _closing;
    private bool _released;

    /// <summary>A poll already waited <see cref="ProbeGrace"/> in this probed upgrade: later ones need not.</summary>
    private bool _graceServed;
    private bool _discarded;
    private bool _finished;

    public override string Name => "polling";

    /// <summary>Answers the handshake GET: the open packet and anything queued with it.</summary>
    public Task WriteHandshakeAsync(HttpContext context) =>
        WriteFramesAsync(context, Session.TakeQueued(this));

    public async Task HandleGetAsync(HttpContext context)
    {
        if (!TryEnter(ref _getActive))
        {
            // The session is gone before the answer leaves, so the client's next request is refused too.
            Session.OnProtocolError("overlapping GET requests");
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            return;
        }

        List<EngineFrame>? frames;
        try
        {
            frames = await WaitForFramesAsync(arrivedDuringUpgrade: Session.IsUpgrading, context.RequestAborted);
        }
        finally
        {
            // The poll is over once its frames are taken: the client may send its next GET as soon as
            // it has this response, before this method has finished writing it.
            lock (_gate)
            {
                _getActive = false;
                _pendingPoll = null;
            }
        }

        if (frames is null)
        {
            // The client went away while its poll was pending: the session ends with it.
            Session.OnTransportClosed(this, "transport close");
        }

        bool finished;
        lock (_gate)
        {
            finished = _closing && !_finished;
            _finished |= finished;
        }

        if (finished)
        {
            // The last frames (the close packet among them) are taken: the session leaves the registry
            // before they are written, so the client's next request, sent once it has them, is refused.
            Session.OnTransportFinished();
        }

        if (ReferenceEquals(frames, RefusedAfterUpgrade))
        {
            // The session moved to WebSocket while this poll waited: polling is over for it.
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
        }
        else if (frames is not null)
        {
            await WriteFramesAsync(context, frames);
        }
    }

    public async Task HandlePostAsync(HttpContext context)
    {
        if (!TryEnter(ref _postActive))
        {
            Session.OnProtocolError("overlapping POST requests");
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            return;
        }

        byte[]? buffer = null;
        var released = false;
        try
        {
            var limit = Session.Options.MaxPayload;
            if (context.Request.ContentLength > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                Session.OnProtocolError($"POST body of {context.Request.ContentLength} bytes is over maxPayload {limit}");
                return;
            }

            buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 16 * 1024));
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        break;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                Session.OnProtocolError($"POST body is over maxPayload {limit}");
                return;
            }

            if (Session.IsClosing)
            {
                await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
                return;
            }

            var packets = new List<EnginePacket>();
            var body = buffer.AsMemory(0, length);
            var error = Session.ProtocolVersion == EngineProtocolVersion.V4
                ? PollingPayload.Decode(body, packets)
                : PollingPayloadV3.Decode(body, IsOctetStream(context.Request.ContentType), packets);
            if (error != DecodeError.None)
            {
                // Closed before the answer is written: a GET the client sends right after it gets 400.
                Session.OnProtocolError($"invalid polling payload: {error}");
                await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
                return;
            }

            Session.Metrics.PacketsIn(packets.Count, length);
            foreach (var packet in packets)
            {
                Session.OnPacket(packet);
            }

            // Done with the body: the client may send its next POST as soon as it reads "ok".
            Release(ref _postActive);
            released = true;
            context.Response.ContentType = "text/html";
            context.Response.ContentLength = 2;
            await context.Response.Body.WriteAsync("ok"u8.ToArray(), context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            Session.OnTransportClosed(this, "transport close");
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (!released)
            {
                Release(ref _postActive);
            }
        }
    }

    public override void OnFramesQueued() => Signal();

    private void Release(ref bool active)
    {
        lock (_gate)
        {
            active = false;
        }
    }

    private bool TryEnter(ref bool active)
    {
        lock (_gate)
        {
            if (active)
            {
                return false;
            }

            active = true;
            return true;
        }
    }

    /// <summary>Releases a pending poll with a noop (the upgrade's probe was answered).</summary>
    public void ReleaseWithNoop()
    {
        lock (_gate)
        {
            _released = true;
        }

        Signal();
    }

    /// <summary>The probed upgrade was abandoned: polls wait for frames again.</summary>
    public void EndRelease()
    {
        lock (_gate)
        {
            _released = false;
            _graceServed = false;
        }
    }

    /// <summary>The session moved to WebSocket: any poll still pending ends with a noop.</summary>
    public void Discard()
    {
        lock (_gate)
        {
            _discarded = true;
        }

        Signal();
    }

    public override void Close(bool flush)
    {
        bool finishNow;
        lock (_gate)
        {
            _closing = true;
            finishNow = !_getActive && (!flush || _discarded);
            _finished |= finishNow;
        }

        if (finishNow)
        {
            Session.OnTransportFinished();
            return;
        }

        Signal();
        if (!_getActive)
        {
            // Keep the session reachable for the client's next poll, which collects the last frames.
            _ = FinishAfterAsync(Session.Options.PingInterval + Session.Options.PingTimeout);
        }
    }

    private async Task FinishAfterAsync(TimeSpan delay)
    {
        await Task.Delay(delay, time);
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
        }

        Session.OnTransportFinished();
    }

    /// <summary>
    /// Waits for frames. A poll that arrived while a WebSocket was upgrading the session is rarely a real
    /// client's (engine.io-client stops polling once it probes): the first such poll is held for
    /// <see cref="ProbeGrace"/> (frames waiting or not), so a client that sent <c>2probe</c> and <c>5</c>
    /// back to back and then polled gets 400 (the upgrade completed) as with engine.io, and a client
    /// that waits for the poll's noop before sending <c>5</c> still gets it. Once the probe is answered
    /// and until the upgrade ends, every later poll gets its noop at once.
    /// </summary>
    private async Task<List<EngineFrame>?> WaitForFramesAsync(bool arrivedDuringUpgrade, CancellationToken aborted)
    {
        Task? grace = null;
        while (true)
        {
            TaskCompletionSource pending;
            lock (_gate)
            {
                if (_discarded)
                {
                    return arrivedDuringUpgrade ? RefusedAfterUpgrade : [NoopFrame];
                }

                if (grace is { IsCompleted: true })
                {
                    _graceServed = true;
                }

                // Held even when frames wait (a v2 client's "40", an echo) and even before the probe is read:
                // the upgrade that the pipelined "2probe" and "5" complete meanwhile moves the frames to the
                // WebSocket and the poll gets its 400, as with engine.io, which reads the WebSocket's frames
                // before a poll sent after them. One grace per transport, from the poll's arrival.
                var holding = !_closing && arrivedDuringUpgrade && !_graceServed;
                List<EngineFrame> frames = holding ? [] : Session.TakeQueued(this);
                if (_closing)
                {
                    frames.Add(CloseFrame);
                    return frames;
                }

                if (frames.Count > 0)
                {
                    return frames;
                }

                if (_released && !holding)
                {
                    // Every poll gets a noop while the probed upgrade is under way (as engine.io's upgrade
                    // check does); once it is abandoned, polling goes on as before.
                    return [NoopFrame];
                }

                if (holding)
                {
                    grace ??= Task.Delay(ProbeGrace, time);
                }

                pending = _pendingPoll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            try
            {
                await (grace is null ? pending.Task : Task.WhenAny(pending.Task, grace)).WaitAsync(aborted);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource? pending;
        lock (_gate)
        {
            pending = _pendingPoll;
            _pendingPoll = null;
        }

        pending?.TrySetResult();
    }

    private async Task WriteFramesAsync(HttpContext context, List<EngineFrame> frames)
    {
        var body = new ArrayBufferWriter<byte>(256);
        var binary = false;
        if (Session.ProtocolVersion == EngineProtocolVersion.V4)
        {
            PollingPayload.Encode(body, frames);
        }
        else
        {
            var supportsBinary = !context.Request.Query.ContainsKey("b64");
            binary = PollingPayloadV3.Encode(body, frames, supportsBinary);
        }

        context.Response.ContentType = binary ? "application/octet-stream" : "text/plain; charset=UTF-8";
        context.Response.ContentLength = body.WrittenCount;
        try
        {
            await context.Response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            Session.OnTransportClosed(this, "transport close");
        }
    }

    private static bool IsOctetStream(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase);
}
