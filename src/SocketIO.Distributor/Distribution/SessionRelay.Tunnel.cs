using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// The relaying side of a WebSocket for another distributor's session: asks the holder (which answers
/// 101 or the local 400), accepts the client's WebSocket and carries its messages both ways over the
/// bus until either side closes. A close propagates both ways; a broken side cuts the other.
/// </summary>
internal sealed partial class SessionRelay
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private async Task RelayWebSocketAsync(HttpContext context, string sid, string holder, bool isWebSocket)
    {
        var options = Engine.Options;
        if (!isWebSocket || !options.AllowUpgrades || !options.AllowWebSocket)
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            return;
        }

        if (!TryEnter(ref _relayedCount))
        {
            await WriteRefusedAsync(context);
            return;
        }

        var request = new RelayedRequest((ulong)Interlocked.Increment(ref _lastRequestId), holder, tunnel: true, options.MaxQueuedPackets);
        _relayed[request.Id] = request;
        OnRelayWork();
        try
        {
            Statistics.OnRelayedOut(tunnel: true);
            DistributorMetrics.RelayedOut.Add(1, Tag);
            Send(request, new RelayRequest(request.Id, Id, sid, RelayRequestKind.WebSocket, context.Request.QueryString.Value ?? string.Empty, string.Empty, ReadOnlyMemory<byte>.Empty));
            var answer = await AwaitAnswerAsync(context, request, sid);
            if (answer is null)
            {
                return;
            }

            if (answer.Status != StatusCodes.Status101SwitchingProtocols)
            {
                await WriteAnswerAsync(context, answer);
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await CarryAsync(context, request, socket);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            CancelAtHolder(request, "client gone");
        }
        finally
        {
            _relayed.TryRemove(request.Id, out _);
            Interlocked.Decrement(ref _relayedCount);
        }
    }

    private async Task CarryAsync(HttpContext context, RelayedRequest request, WebSocket socket)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var toClient = ToClientAsync(context, request, socket, ended);
        var fromClient = FromClientAsync(request, socket, ended);
        await Task.WhenAny(toClient, fromClient);

        // One side closed: the other has the close grace to answer with its close, then the connection is cut.
        using var grace = new CancellationTokenSource(CloseGrace, _distributor.Time);
        try
        {
            await Task.WhenAll(toClient, fromClient).WaitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            await ended.CancelAsync();
            context.Abort();
            await Task.WhenAll(toClient, fromClient);
        }

        Log.TunnelEnded(Logger, request.Id, request.Holder, request.EndReason ?? "closed");
    }

    /// <summary>Writes the holder's frames to the client in order; its close closes the client's WebSocket.</summary>
    private async Task ToClientAsync(HttpContext context, RelayedRequest request, WebSocket socket, CancellationTokenSource ended)
    {
        try
        {
            await foreach (var frame in request.Frames.Reader.ReadAllAsync(ended.Token))
            {
                if (frame.Kind == TunnelFrameKind.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ended.Token);
                    return;
                }

                var type = frame.Kind == TunnelFrameKind.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                await socket.SendAsync(frame.Payload, type, endOfMessage: true, ended.Token);
            }

            // The holder ended the tunnel (aborted, died) or the client was too slow: cut the connection.
            await ended.CancelAsync();
            context.Abort();
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            CancelAtHolder(request, "transport error");
            await ended.CancelAsync();
        }
    }

    /// <summary>Publishes the client's messages (at most maxPayload + 1 bytes each: the holder refuses a longer one) to the holder, then its close.</summary>
    private async Task FromClientAsync(RelayedRequest request, WebSocket socket, CancellationTokenSource ended)
    {
        var channel = Bus.Channels.Relay(request.Holder);
        var limit = Engine.Options.MaxPayload + 1;
        var buffer = new byte[Math.Min(4096, limit)];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result = default;
                do
                {
                    if (length == buffer.Length && buffer.Length < limit)
                    {
                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit));
                    }

                    if (length == limit)
                    {
                        break;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), ended.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Bus.Publish(channel, new TunnelFrame(request.Id, Id, ToHolder: true, TunnelFrameKind.Close, ReadOnlyMemory<byte>.Empty).Encode());
                        return;
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                var kind = result.MessageType == WebSocketMessageType.Binary ? TunnelFrameKind.Binary : TunnelFrameKind.Text;
                Bus.Publish(channel, new TunnelFrame(request.Id, Id, ToHolder: true, kind, buffer.AsMemory(0, length)).Encode());
                if (length == limit)
                {
                    // Too long: the holder closes the session for it; nothing more of this client is read.
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            CancelAtHolder(request, "transport error");
            await ended.CancelAsync();
        }
    }

    private void CancelAtHolder(RelayedRequest request, string reason)
    {
        if (request.EndReason is null)
        {
            request.End(reason);
            Bus.Publish(Bus.Channels.Relay(request.Holder), new RelayCancel(request.Id, Id, ToHolder: true, reason).Encode());
        }
    }
}
