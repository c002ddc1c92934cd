using System.Buffers.Text;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The Engine.IO server: answers handshakes, routes polling requests and WebSocket upgrades to their
/// sessions, and rejects bad requests with the protocol's HTTP 400 error codes.
/// </summary>
public sealed partial class EngineServer
{
    private readonly EngineOptions _options;
    private readonly IEngineConnectionHandler _handler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EngineSessionRegistry _sessions;

    /// <summary>Creates a server.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="handler">The layer above, told of sessions and messages.</param>
    /// <param name="time">The clock for heartbeats and timeouts.</param>
    /// <param name="logger">The log.</param>
    /// <param name="meterFactory">Creates the meter of <see cref="Metrics"/>; null for a meter of its own.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message says what to fix.</exception>
    public EngineServer(EngineOptions options, IEngineConnectionHandler handler, TimeProvider time, ILogger<EngineServer> logger, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid Engine.IO options: " + string.Join(" ", problems), nameof(options));
        }

        _options = options;
        Metrics = new EngineMetrics(meterFactory);
        _sessions = new EngineSessionRegistry(Metrics);
        _handler = handler;
        _time = time;
        _logger = logger;
    }

    /// <summary>The options in force.</summary>
    public EngineOptions Options => _options;

    /// <summary>This server's counters (sessions, packets, frames, slow clients, protocol errors).</summary>
    public EngineMetrics Metrics { get; }

    /// <summary>The number of open sessions.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Closes every session (graceful shutdown).</summary>
    /// <param name="reason">The reason given to the layer above.</param>
    public void CloseAll(string reason = "server shutting down")
    {
        foreach (var session in _sessions.All.ToList())
        {
            session.Close(reason);
        }
    }

    /// <summary>Handles one HTTP request to the Engine.IO path.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the request (for WebSocket: the connection) ends.</returns>
    public async Task HandleRequestAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!EngineHttp.IsOriginAllowed(_options, context))
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.Forbidden);
            return;
        }

        EngineHttp.AddCorsHeaders(_options, context);
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            EngineHttp.WritePreflight(context);
            return;
        }

        var query = context.Request.Query;
        var transport = query["transport"].ToString();
        var isWebSocket = context.WebSockets.IsWebSocketRequest;
        if (!(transport == "polling" && _options.AllowPolling) && !(transport == "websocket" && _options.AllowWebSocket))
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.UnknownTransport);
            return;
        }

        var sid = query["sid"].ToString();
        if (sid.Length > 0)
        {
            await HandleSessionRequestAsync(context, sid, transport, isWebSocket);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadHandshakeMethod);
            return;
        }

        EngineProtocolVersion version;
        switch (query["EIO"].ToString())
        {
            case "4":
                version = EngineProtocolVersion.V4;
                break;
            case "3" when _options.AllowEIO3:
                version = EngineProtocolVersion.V3;
                break;
            default:
                await EngineHttp.WriteErrorAsync(context, EngineErrorCode.UnsupportedProtocolVersion);
                return;
        }

        if (transport == "websocket" && !isWebSocket)
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            return;
        }

        var handshake = CaptureHandshake(context);
        if (!await AdmitAsync(context, handshake))
        {
            return;
        }

        await HandshakeAsync(context, version, transport, handshake);
    }

    private async Task HandleSessionRequestAsync(HttpContext context, string sid, string transport, bool isWebSocket, bool mayRelay = true)
    {
        if (!_sessions.TryGet(sid, out var session))
        {
            // Held by another distributor (the sid names it): served there, through the bus.
            if (mayRelay && ForeignSessions is { } foreign && await foreign.TryRelayAsync(context, sid, transport, isWebSocket))
            {
                return;
            }

            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.UnknownSid);
            return;
        }

        if (transport == "websocket")
        {
            if (!isWebSocket || !_options.AllowUpgrades || !_options.AllowWebSocket)
            {
                await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
                return;
            }

            await UpgradeAsync(context, session);
            return;
        }

        if (session.Transport is not PollingTransport polling)
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            await polling.HandleGetAsync(context);
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            await polling.HandlePostAsync(context);
        }
        else
        {
            await EngineHttp.WriteErrorAsync(context, EngineErrorCode.BadRequest);
        }
    }

    private async Task HandshakeAsync(HttpContext context, EngineProtocolVersion version, string transportName, EngineHandshake handshake)
    {
        if (transportName == "polling")
        {
            var polling = new PollingTransport(_time);
            var session = Open(version, handshake, polling, upgrades: _options.AllowUpgrades && _options.AllowWebSocket);
            await polling.WriteHandshakeAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketAccept);
        var transport = new WebSocketTransport(socket, probing: false, _options.MaxWriteStall, _time, static c => EngineHttp.AbortConnection((HttpContext)c), context);
        Open(version, handshake, transport, upgrades: false);
        await transport.RunAsync(context.RequestAborted);
    }

    private EngineSession Open(EngineProtocolVersion version, EngineHandshake handshake, EngineTransport transport, bool upgrades)
    {
        var session = new EngineSession((SessionIdGenerator ?? NewSessionId)(), version, handshake, transport, _options, _handler, _sessions, _time, _logger);
        transport.Attach(session);
        _sessions.Add(session);
        session.Send(EngineFrame.Text(EnginePacketType.Open, OpenPacketJson(session.Id, version, upgrades)));
        session.StartHeartbeat();
        Log.SessionOpened(_logger, session.Id, transport.Name, (int)version);
        _handler.OnOpen(session);
        if (_drainReason is { } draining)
        {
            // Registered after the drain took its list of sessions: it would be left open, so it closes now.
            session.Close(draining);
        }

        return session;
    }

    private async Task UpgradeAsync(HttpContext context, EngineSession session)
    {
        // As engine.io: a WebSocket for a session that is already upgraded (or upgrading) is accepted
        // and then closed, so the client sees an open followed by a close rather than an HTTP error.
        var reserved = session.TryReserveUpgrade();
        System.Net.WebSockets.WebSocket socket;
        try
        {
            socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketAccept);
        }
        catch
        {
            if (reserved)
            {
                session.ReleaseUpgradeReservation();
            }

            throw;
        }

        using var accepted = socket;
        var transport = new WebSocketTransport(socket, probing: true, _options.MaxWriteStall, _time, static c => EngineHttp.AbortConnection((HttpContext)c), context);
        transport.Attach(session);
        if (!reserved || !session.TryBeginUpgrade(transport, _time))
        {
            await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "upgrade not possible", context.RequestAborted);
            return;
        }

        await transport.RunAsync(context.RequestAborted);
    }

    /// <summary>
    /// No WebSocket keep-alive pings: Engine.IO's heartbeat already proves the connection alive, and the
    /// keep-alive's timer per connection costs memory and a wake-up every interval per idle connection.
    /// </summary>
    private static readonly WebSocketAcceptContext WebSocketAccept = new() { KeepAliveInterval = TimeSpan.Zero };

    private byte[] OpenPacketJson(string sid, EngineProtocolVersion version, bool upgrades)
    {
        var json = new StringBuilder(160);
        json.Append("{\"sid\":\"").Append(sid).Append("\",\"upgrades\":").Append(upgrades ? "[\"websocket\"]" : "[]")
            .Append(",\"pingInterval\":").Append((long)_options.PingInterval.TotalMilliseconds)
            .Append(",\"pingTimeout\":").Append((long)_options.PingTimeout.TotalMilliseconds);
        if (version == EngineProtocolVersion.V4)
        {
            json.Append(",\"maxPayload\":").Append(_options.MaxPayload);
        }

        return Encoding.UTF8.GetBytes(json.Append('}').ToString());
    }

    private EngineHandshake CaptureHandshake(HttpContext context)
    {
        var request = context.Request;
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            query[key] = value.ToString();
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in request.Headers)
        {
            headers[LowerCaseHeaderNames.Of(key)] = value.ToString();
        }

        return new EngineHandshake(
            HandshakeValues.From(query, StringComparer.Ordinal),
            HandshakeValues.From(headers, StringComparer.OrdinalIgnoreCase),
            context.Connection.RemoteIpAddress,
            request.Path + request.QueryString,
            request.IsHttps,
            _time.GetUtcNow());
    }

    /// <summary>128 random bits, base64url: unguessable session ids.</summary>
    internal static string NewSessionId()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        Span<byte> encoded = stackalloc byte[24];
        Base64Url.EncodeToUtf8(random, encoded, out _, out var written);
        return Encoding.ASCII.GetString(encoded[..written]);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Engine.IO session {Sid} opened over {Transport} (EIO{Version})")]
        public static partial void SessionOpened(ILogger logger, string sid, string transport, int version);
    }
}
