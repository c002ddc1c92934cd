using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// Whether a handshake may open a session: not while the server drains (HTTP 503, so a load
/// balancer or the client's reconnection tries another server), and only if
/// <see cref="EngineOptions.AllowRequest"/> agrees (HTTP 403 otherwise, as engine.io).
/// </summary>
public sealed partial class EngineServer
{
    private static readonly byte[] DrainingBody = """{"code":503,"message":"Server draining: connect to another server"}"""u8.ToArray();

    private async Task<bool> AdmitAsync(HttpContext context, EngineHandshake handshake)
    {
        if (IsDraining)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = DrainingBody.Length;
                await context.Response.Body.WriteAsync(DrainingBody, context.RequestAborted);
            }

            return false;
        }

        var decision = await DecideAsync(handshake);
        if (decision.IsAllowed)
        {
            return true;
        }

        await EngineHttp.WriteErrorAsync(context, EngineErrorCode.Forbidden, decision.Message);
        return false;
    }

    /// <summary>
    /// The <see cref="EngineOptions.AllowRequest"/> hook's decision (allowed when there is none), on the
    /// HTTP and the bare WebSocket path alike; a throwing hook refuses this handshake only. A refusal is logged.
    /// </summary>
    private async Task<HandshakeDecision> DecideAsync(EngineHandshake handshake)
    {
        if (_options.AllowRequest is not { } allowRequest)
        {
            return HandshakeDecision.Allow;
        }

        HandshakeDecision decision;
        try
        {
            decision = await allowRequest(handshake);
        }
        catch (Exception e)
        {
            AdmissionLog.AllowRequestFailed(_logger, e);
            decision = HandshakeDecision.Refuse();
        }

        if (!decision.IsAllowed)
        {
            AdmissionLog.HandshakeRefused(_logger, handshake.RemoteAddress?.ToString() ?? "?", decision.Message ?? "Forbidden");
        }

        return decision;
    }

    private static partial class AdmissionLog
    {
        [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "The AllowRequest hook threw; the handshake is refused")]
        public static partial void AllowRequestFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "Handshake from {Address} refused by AllowRequest: {Reason}")]
        public static partial void HandshakeRefused(ILogger logger, string address, string reason);
    }
}
