using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace SocketIO.Distributor.EngineIO;

/// <summary>HTTP details of Engine.IO: error responses and CORS.</summary>
internal static class EngineHttp
{
    public static async Task WriteErrorAsync(HttpContext context, EngineErrorCode code, string? message = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var body = EngineErrors.Body(code, message);
        context.Response.StatusCode = code == EngineErrorCode.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>
    /// Ends the request's TCP connection at once with a reset (SO_LINGER 0), dropping data the client
    /// never took: a slow or faulty client does not keep the connection (and megabytes of unsent
    /// frames in the kernel) alive after its session closed.
    /// </summary>
    public static void AbortConnection(HttpContext context)
    {
        ResetOnClose(context.Features.Get<IConnectionSocketFeature>()?.Socket);
        context.Abort();
    }

    /// <summary>
    /// Makes the socket's close a reset (SO_LINGER 0: unsent data dropped, the client sees the end at once);
    /// nothing when there is no socket or it is already closed.
    /// </summary>
    internal static void ResetOnClose(Socket? socket)
    {
        try
        {
            if (socket is not null)
            {
                socket.LingerState = new LingerOption(enable: true, seconds: 0);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: the close or abort that follows is all that is left to do.
        }
    }

    /// <summary>True if the request's origin may use this server (CSRF protection for browsers).</summary>
    public static bool IsOriginAllowed(EngineOptions options, HttpContext context)
    {
        if (options.AllowedOrigins.Count == 0)
        {
            return true;
        }

        return IsOriginAllowed(options, context.Request.Headers.Origin.ToString());
    }

    /// <summary>True if a request with this <c>Origin</c> header (empty: none) may use this server.</summary>
    public static bool IsOriginAllowed(EngineOptions options, string origin)
    {
        if (options.AllowedOrigins.Count == 0)
        {
            return true;
        }

        if (origin.Length == 0)
        {
            // Not a browser request: origin checks protect browsers from cross-site use only.
            return true;
        }

        foreach (var allowed in options.AllowedOrigins)
        {
            if (allowed == "*" || string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds the CORS response headers for an allowed origin.</summary>
    public static void AddCorsHeaders(EngineOptions options, HttpContext context)
    {
        if (options.AllowedOrigins.Count == 0)
        {
            return;
        }

        var origin = context.Request.Headers.Origin.ToString();
        var headers = context.Response.Headers;
        if (options.AllowedOrigins.Contains("*"))
        {
            headers.AccessControlAllowOrigin = "*";
            return;
        }

        if (origin.Length > 0)
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = "true";
            headers.Vary = "Origin";
        }
    }

    /// <summary>Answers a CORS preflight request.</summary>
    public static void WritePreflight(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.AccessControlAllowMethods = "GET,HEAD,PUT,PATCH,POST,DELETE";
        var requested = context.Request.Headers.AccessControlRequestHeaders.ToString();
        if (requested.Length > 0)
        {
            headers.AccessControlAllowHeaders = requested;
            headers.Vary = "Origin, Access-Control-Request-Headers";
        }

        context.Response.ContentLength = 0;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
