using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The bare WebSocket path (<see cref="EngineOptions.BareWebSockets"/>): a direct Engine.IO WebSocket
/// handshake read off a Kestrel connection before the HTTP pipeline sees it, answered with the 101 here
/// and served over the connection's own pipes, so no HttpContext, HTTP/1.1 connection state, header
/// collections or request features stay alive for the life of the WebSocket.
/// </summary>
public sealed partial class EngineServer
{
    private long _bareServed;

    /// <summary>How many WebSockets the bare path has served (tests tell the two paths apart by it).</summary>
    internal long BareWebSocketsServed => Interlocked.Read(ref _bareServed);

    private static readonly byte[] WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    /// <summary>
    /// Whether the bare path may serve this request now; false leaves it to the HTTP path, which then
    /// answers exactly as without the bare path (403 for a foreign origin, 503 while draining, 400 for
    /// an unsupported version or transport).
    /// </summary>
    internal bool AcceptsBare(BareWebSocketRequest request, out EngineProtocolVersion version)
    {
        version = EngineProtocolVersion.V4;
        if (!_options.BareWebSockets || !_options.AllowWebSocket || IsDraining)
        {
            return false;
        }

        request.Headers.TryGetValue("origin", out var origin);
        if (!EngineHttp.IsOriginAllowed(_options, origin ?? string.Empty))
        {
            return false;
        }

        var query = request.Query();
        query.TryGetValue("EIO", out var eio);
        switch (eio)
        {
            case "4":
                version = EngineProtocolVersion.V4;
                return true;
            case "3" when _options.AllowEIO3:
                version = EngineProtocolVersion.V3;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Opens the session of an accepted bare handshake: admission (<see cref="EngineOptions.AllowRequest"/>),
    /// the 101, the session. The head must already be consumed from <paramref name="connection"/>'s input.
    /// The caller then runs the returned transport (<see cref="WebSocketTransport.RunAsync"/>) and disposes the
    /// socket: nothing of the request (its head, this method's state) stays alive with the connection.
    /// </summary>
    /// <returns>The socket and its transport, or null when the handshake was refused (the 403 is written).</returns>
    internal Task<(WebSocket Socket, WebSocketTransport Transport)?> OpenBareAsync(ConnectionContext connection, BareWebSocketRequest request, EngineProtocolVersion version) =>
        OpenBareAsync(connection.Transport, (connection.RemoteEndPoint as IPEndPoint)?.Address, static c => AbortConnection((ConnectionContext)c), connection, request, version);

    /// <summary>
    /// As <see cref="OpenBareAsync(ConnectionContext, BareWebSocketRequest, EngineProtocolVersion)"/>, over any
    /// connection's pipes: <paramref name="abort"/> (given <paramref name="abortState"/>) resets the connection.
    /// </summary>
    internal async Task<(WebSocket Socket, WebSocketTransport Transport)?> OpenBareAsync(
        IDuplexPipe connection, IPAddress? remoteAddress, Action<object> abort, object abortState, BareWebSocketRequest request, EngineProtocolVersion version)
    {
        var handshake = new EngineHandshake(
            HandshakeValues.From(request.Query(), StringComparer.Ordinal),
            HandshakeValues.From(request.Headers, StringComparer.OrdinalIgnoreCase),
            remoteAddress,
            request.Target,
            Secure: false,
            _time.GetUtcNow());
        var output = connection.Output;
        var decision = await DecideAsync(handshake);
        if (!decision.IsAllowed)
        {
            var body = EngineErrors.Body(EngineErrorCode.Forbidden, decision.Message);
            await WriteHeadAsync(output, $"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n{CorsHeaders(request)}\r\n", body);
            return null;
        }

        await WriteHeadAsync(output, $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {AcceptKey(request.WebSocketKey)}\r\n{CorsHeaders(request)}\r\n", body: default);
        // RFC 6455 framing of our own, straight on the connection's pipes (no keep-alive pings: Engine.IO's heartbeat proves liveness).
        var socket = new PipeWebSocket(connection);
        var transport = new WebSocketTransport(socket, probing: false, _options.MaxWriteStall, _time, abort, abortState);
        Open(version, handshake, transport, upgrades: false);
        Interlocked.Increment(ref _bareServed);
        BareLog.Served(_logger, handshake.RemoteAddress?.ToString() ?? "?");
        return (socket, transport);
    }

    private static async Task WriteHeadAsync(PipeWriter output, string head, ReadOnlyMemory<byte> body)
    {
        var bytes = Encoding.ASCII.GetBytes(head);
        output.Write(bytes);
        if (!body.IsEmpty)
        {
            output.Write(body.Span);
        }

        await output.FlushAsync();
    }

    /// <summary>The CORS headers the HTTP path adds to its answer (browsers ignore them on a 101, but they cost nothing).</summary>
    private string CorsHeaders(BareWebSocketRequest request)
    {
        if (_options.AllowedOrigins.Count == 0)
        {
            return string.Empty;
        }

        if (_options.AllowedOrigins.Contains("*"))
        {
            return "Access-Control-Allow-Origin: *\r\n";
        }

        return request.Headers.TryGetValue("origin", out var origin) && origin.Length > 0
            ? $"Access-Control-Allow-Origin: {origin}\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n"
            : string.Empty;
    }

    private static string AcceptKey(string key)
    {
        Span<byte> input = stackalloc byte[24 + 36];
        Encoding.ASCII.GetBytes(key, input);
        WebSocketGuid.CopyTo(input[24..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>As <see cref="EngineHttp.AbortConnection"/>: a reset (SO_LINGER 0), dropping unsent data.</summary>
    private static void AbortConnection(ConnectionContext connection)
    {
        EngineHttp.ResetOnClose(connection.Features.Get<IConnectionSocketFeature>()?.Socket);
        connection.Abort(new ConnectionAbortedException("Engine.IO session closed"));
    }

    private static partial class BareLog
    {
        [LoggerMessage(EventId = 1030, Level = LogLevel.Trace, Message = "WebSocket from {Address} served on the bare path")]
        public static partial void Served(ILogger logger, string address);
    }
}
