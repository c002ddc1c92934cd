using Microsoft.AspNetCore.Http;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>The holding side: serving a request that reached another distributor, with the local code.</summary>
internal sealed partial class SessionRelay
{
    private void OnRequest(RelayRequest request)
    {
        var reply = Bus.Channels.Relay(request.ReplyTo);
        if (!TryEnter(ref _servedCount))
        {
            Bus.Publish(reply, new RelayResponse(request.RequestId, Id, StatusCodes.Status503ServiceUnavailable, "application/json", RefusedBody).Encode());
            return;
        }

        var tunnel = request.Kind == RelayRequestKind.WebSocket;
        Statistics.OnRelayedIn(tunnel);
        DistributorMetrics.RelayedIn.Add(1, Tag);
        if (tunnel)
        {
            OpenTunnel(request, reply);
        }
        else
        {
            _ = ServePollAsync(request, reply);
        }
    }

    /// <summary>
    /// Serves a relayed GET or POST through the local polling code, on a stand-in HTTP context whose
    /// response is published back; a long GET is held here as usual.
    /// </summary>
    private async Task ServePollAsync(RelayRequest request, string reply)
    {
        using var served = new ServedRequest(request.ReplyTo, request.RequestId);
        var key = (request.ReplyTo, request.RequestId);
        _served[key] = served;
        OnRelayWork();
        try
        {
            var context = new DefaultHttpContext();
            context.Request.Method = request.Kind == RelayRequestKind.PollPost ? HttpMethods.Post : HttpMethods.Get;
            context.Request.QueryString = new QueryString(request.Query.Length > 0 ? request.Query : null);
            if (request.ContentType.Length > 0)
            {
                context.Request.ContentType = request.ContentType;
            }

            context.Request.ContentLength = request.Body.Length;
            context.Request.Body = AsStream(request.Body);
            var body = new MemoryStream();
            context.Response.Body = body;
            context.RequestAborted = served.Cancelled;
            await Engine.ServeRelayedPollAsync(context, request.Sid);
            if (!served.Cancelled.IsCancellationRequested)
            {
                var answer = new RelayResponse(request.RequestId, Id, context.Response.StatusCode, context.Response.ContentType ?? string.Empty, body.GetBuffer().AsMemory(0, (int)body.Length));
                Bus.Publish(reply, answer.Encode());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failure here must not take the relay channel down; the client gets a 400 and reconnects.
            Log.ServeFailed(Logger, ex, request.Sid, request.ReplyTo);
            Bus.Publish(reply, new RelayResponse(request.RequestId, Id, StatusCodes.Status400BadRequest, "application/json", EngineErrors.Body(EngineErrorCode.BadRequest)).Encode());
        }
        finally
        {
            _served.TryRemove(key, out _);
            Interlocked.Decrement(ref _servedCount);
        }
    }

    /// <summary>
    /// A WebSocket for a session held here reached another distributor: reserve the upgrade and answer
    /// 101 (or the local 400), then run the WebSocket transport over the tunnel.
    /// </summary>
    private void OpenTunnel(RelayRequest request, string reply)
    {
        var options = Engine.Options;
        var reserved = false;
        var session = options.AllowUpgrades && options.AllowWebSocket ? Engine.ReserveTunnel(request.Sid, out reserved) : null;
        if (session is null)
        {
            var code = options.AllowUpgrades && options.AllowWebSocket ? EngineErrorCode.UnknownSid : EngineErrorCode.BadRequest;
            Bus.Publish(reply, new RelayResponse(request.RequestId, Id, StatusCodes.Status400BadRequest, "application/json", EngineErrors.Body(code)).Encode());
            Interlocked.Decrement(ref _servedCount);
            return;
        }

        var id = request.RequestId;
        var socket = new TunnelWebSocket(
            options.MaxQueuedPackets,
            (kind, payload) => Bus.Publish(reply, new TunnelFrame(id, Id, ToHolder: false, kind, payload).Encode()),
            reason => Bus.Publish(reply, new RelayCancel(id, Id, ToHolder: false, reason).Encode()));
        var served = new ServedRequest(request.ReplyTo, id) { Socket = socket };
        _served[(request.ReplyTo, id)] = served;
        OnRelayWork();

        // Before any frame of the tunnel, on the same channel: the relaying side accepts the client's WebSocket.
        Bus.Publish(reply, new RelayResponse(id, Id, StatusCodes.Status101SwitchingProtocols, string.Empty, ReadOnlyMemory<byte>.Empty).Encode());
        _ = RunTunnelAsync(session, reserved, served);
    }

    private async Task RunTunnelAsync(EngineSession session, bool reserved, ServedRequest served)
    {
        try
        {
            using var socket = served.Socket!;
            await Engine.RunTunnelAsync(session, reserved, socket, served.Cancelled);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ServeFailed(Logger, ex, session.Id, served.RelayedBy);
        }
        finally
        {
            _served.TryRemove((served.RelayedBy, served.Id), out _);
            served.Dispose();
            Interlocked.Decrement(ref _servedCount);
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private void OnFrameToHolder(TunnelFrame frame)
    {
        if (_served.TryGetValue((frame.SenderId, frame.RequestId), out var served) && served.Socket is { } socket && !socket.Deliver(frame))
        {
            // The session does not keep up with what its client sends: end the tunnel (the client reconnects).
            socket.Abort();
            served.Cancel();
        }
    }
}
