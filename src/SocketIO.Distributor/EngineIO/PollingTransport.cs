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

    private readonly object _gate = new();
    private TaskCompletionSource? _pendingPoll;
    private bool _getActive;
    private bool _postActive;
    private bool _closing;
    private bool _released;
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
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            Session.OnProtocolError("overlapping GET requests");
            return;
        }

        List<EngineFrame>? frames;
        try
        {
            frames = await WaitForFramesAsync(context.RequestAborted);
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

        if (frames is not null)
        {
            await WriteFramesAsync(context, frames);
        }

        if (finished)
        {
            Session.OnTransportFinished();
        }
    }

    public async Task HandlePostAsync(HttpContext context)
    {
        if (!TryEnter(ref _postActive))
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            Session.OnProtocolError("overlapping POST requests");
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
                await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
                Session.OnProtocolError($"invalid polling payload: {error}");
                return;
            }

            EngineMetrics.PacketsIn.Add(packets.Count);
            EngineMetrics.BytesIn.Add(length);
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

    private async Task<List<EngineFrame>?> WaitForFramesAsync(CancellationToken aborted)
    {
        while (true)
        {
            TaskCompletionSource pending;
            lock (_gate)
            {
                if (_discarded)
                {
                    return [NoopFrame];
                }

                var frames = Session.TakeQueued(this);
                if (_closing)
                {
                    frames.Add(CloseFrame);
                    return frames;
                }

                if (frames.Count > 0)
                {
                    return frames;
                }

                if (_released)
                {
                    // One noop per probe: if the upgrade is then abandoned, polling goes on as before.
                    _released = false;
                    return [NoopFrame];
                }

                pending = _pendingPoll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            try
            {
                await pending.Task.WaitAsync(aborted);
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
