using Microsoft.AspNetCore.Http;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>The relaying side of polling: a GET or POST for another distributor's session.</summary>
internal sealed partial class SessionRelay
{
    private static readonly byte[] RefusedBody = """{"code":503,"message":"Too many relayed requests: try again"}"""u8.ToArray();

    private async Task RelayPollAsync(HttpContext context, string sid, string holder)
    {
        var method = context.Request.Method;
        RelayRequestKind kind;
        if (HttpMethods.IsGet(method))
        {
            kind = RelayRequestKind.PollGet;
        }
        else if (HttpMethods.IsPost(method))
        {
            kind = RelayRequestKind.PollPost;
        }
        else
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            return;
        }

        if (!TryEnter(ref _relayedCount))
        {
            await WriteRefusedAsync(context);
            return;
        }

        var request = new RelayedRequest((ulong)Interlocked.Increment(ref _lastRequestId), holder, tunnel: false, capacity: 0);
        try
        {
            ReadOnlyMemory<byte> body = kind == RelayRequestKind.PollPost
                ? await ReadBodyAsync(context, Engine.Options.MaxPayload + 1)
                : ReadOnlyMemory<byte>.Empty;
            _relayed[request.Id] = request;
            OnRelayWork();
            Statistics.OnRelayedOut(tunnel: false);
            DistributorMetrics.RelayedOut.Add(1, Tag);
            var message = new RelayRequest(request.Id, Id, sid, kind, context.Request.QueryString.Value ?? string.Empty, context.Request.ContentType ?? string.Empty, body);
            Send(request, message);
            var answer = await AwaitAnswerAsync(context, request, sid);
            if (answer is not null)
            {
                await WriteAnswerAsync(context, answer);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: its request ends at the holder too (as a local one would).
            Bus.Publish(Bus.Channels.Relay(holder), new RelayCancel(request.Id, Id, ToHolder: true, "client gone").Encode());
        }
        finally
        {
            _relayed.TryRemove(request.Id, out _);
            Interlocked.Decrement(ref _relayedCount);
        }
    }

    /// <summary>Publishes a relayed request; a holder found not listening (0 receivers) ends it at once.</summary>
    private void Send(RelayedRequest request, RelayRequest message)
    {
        var receivers = Bus.PublishCountingReceivers(Bus.Channels.Relay(request.Holder), message.Encode());
        if (receivers.IsCompletedSuccessfully)
        {
            OnReceivers(request, receivers.Result);
        }
        else
        {
            _ = ObserveReceiversAsync(request, receivers);
        }
    }

    /// <summary>The count's task never faults (see <see cref="Bus.RedisBus.PublishCountingReceivers"/>).</summary>
    private async Task ObserveReceiversAsync(RelayedRequest request, Task<long> receivers) => OnReceivers(request, await receivers);

    private void OnReceivers(RelayedRequest request, long receivers)
    {
        // -1: not published (no connection). 0 where counts are trusted: nobody listens, the holder is dead.
        if (receivers < 0 || (receivers == 0 && Bus.ReceiverCountsTrusted))
        {
            if (request.EndReason is null)
            {
                Statistics.OnRelayOwnerLost();
                DistributorMetrics.RelayOwnerLost.Add(1, Tag);
            }

            request.End(receivers < 0 ? "not published" : "holder not listening");
        }
    }

    /// <summary>Waits for the holder's answer; writes 400 itself (and returns null) when the holder is gone or the wait timed out.</summary>
    private async Task<RelayResponse?> AwaitAnswerAsync(HttpContext context, RelayedRequest request, string sid)
    {
        RelayResponse? answer;
        var timeout = Options.EffectiveRelayTimeout;
        try
        {
            answer = await request.Answer.WaitAsync(timeout, _distributor.Time, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            Statistics.OnRelayTimedOut();
            DistributorMetrics.RelayTimedOut.Add(1, Tag);
            Log.TimedOut(Logger, sid, request.Holder, timeout);
            request.End("timed out");
            Bus.Publish(Bus.Channels.Relay(request.Holder), new RelayCancel(request.Id, Id, ToHolder: true, "timed out").Encode());
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            return null;
        }

        if (answer is null)
        {
            // The holder died: its sessions are gone, as if the sid named nobody.
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.UnknownSid);
        }

        return answer;
    }

    private static async Task WriteAnswerAsync(HttpContext context, RelayResponse answer)
    {
        var response = context.Response;
        response.StatusCode = answer.Status;
        if (answer.ContentType.Length > 0)
        {
            response.ContentType = answer.ContentType;
        }

        response.ContentLength = answer.Body.Length;
        await response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }

    private static async Task WriteRefusedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = RefusedBody.Length;
        await context.Response.Body.WriteAsync(RefusedBody, context.RequestAborted);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes of the body (one more than maxPayload tells the holder it was too long).</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context, int limit)
    {
        var declared = context.Request.ContentLength;
        var buffer = new byte[declared is { } length and >= 0 ? Math.Min(length, limit) : Math.Min(16 * 1024, limit)];
        var read = 0;
        while (read < limit)
        {
            if (read == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2 + 1, limit));
            }

            var n = await context.Request.Body.ReadAsync(buffer.AsMemory(read), context.RequestAborted);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer.AsMemory(0, read);
    }
}
