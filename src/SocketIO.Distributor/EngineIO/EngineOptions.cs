namespace SocketIO.Distributor.EngineIO;

/// <summary>Options of the Engine.IO server: the transport layer under Socket.IO.</summary>
public sealed class EngineOptions
{
    /// <summary>The request path the server answers, with leading and trailing slash. Default <c>/socket.io/</c>.</summary>
    public string Path { get; set; } = "/socket.io/";

    /// <summary>How often the server pings an EIO4 client (and how often an EIO3 client should ping). Default 25 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long the server waits for the answer to a ping before it closes the session. Default 20 s.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The largest message or polling request body accepted, in bytes (Engine.IO's <c>maxPayload</c>,
    /// socket.io's <c>maxHttpBufferSize</c>). Larger input closes the session. Default 1,000,000.
    /// </summary>
    public int MaxPayload { get; set; } = 1_000_000;

    /// <summary>Whether HTTP long-polling is allowed. Default true.</summary>
    public bool AllowPolling { get; set; } = true;

    /// <summary>Whether WebSocket is allowed. Default true.</summary>
    public bool AllowWebSocket { get; set; } = true;

    /// <summary>Whether a polling session may upgrade to WebSocket. Default true.</summary>
    public bool AllowUpgrades { get; set; } = true;

    /// <summary>How long an upgrade may take between the probe and the upgrade packet. Default 10 s.</summary>
    public TimeSpan UpgradeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether Engine.IO 3 clients (socket.io-client v2) are accepted. Default true.</summary>
    public bool AllowEIO3 { get; set; } = true;

    /// <summary>
    /// Origins allowed by CORS and for WebSocket connections (CSRF protection): a request whose
    /// <c>Origin</c> header is not listed is refused with HTTP 403 (<c>{"code":4,"message":"Forbidden"}</c>).
    /// Empty (the default) behaves as socket.io without its <c>cors</c> option: no origin is refused and
    /// no CORS headers are sent, so browsers let only same-origin pages use long-polling while WebSocket
    /// stays open to any page; list your sites' origins to refuse the others. <c>*</c> allows every
    /// origin with CORS headers. Requests without an <c>Origin</c> header (not from a browser) are never refused.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Decides whether an Engine.IO handshake may open a session (socket.io's <c>allowRequest</c>), before
    /// any namespace is involved: it gets the request's headers, query and remote address. A refusal
    /// answers HTTP 403 with <c>{"code":4,"message":...}</c> (the given message, or <c>Forbidden</c>). A hook
    /// that throws refuses the handshake and is logged. Null (the default): every handshake is allowed.
    /// For a synchronous check use <see cref="AllowRequestWhen"/>.
    /// </summary>
    public Func<EngineHandshake, ValueTask<HandshakeDecision>>? AllowRequest { get; set; }

    /// <summary>Sets <see cref="AllowRequest"/> to a synchronous check.</summary>
    /// <param name="check">Decides from the handshake.</param>
    public void AllowRequestWhen(Func<EngineHandshake, HandshakeDecision> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        AllowRequest = handshake => ValueTask.FromResult(check(handshake));
    }

    /// <summary>
    /// The most packets waiting to be written to one client. A client that falls further behind is
    /// too slow: it is disconnected rather than allowed to grow memory. Default 4,096.
    /// </summary>
    public int MaxQueuedPackets { get; set; } = 4096;

    /// <summary>The most bytes waiting to be written to one client before it is disconnected. Default 16 MiB.</summary>
    public long MaxQueuedBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// How long a WebSocket client may leave a write waiting (taking none of the frames sent to it)
    /// before it is cut as too slow: its session closes with <c>slow client</c> and its TCP connection is
    /// reset. The outbound queue limits bound memory; this bounds time. Default 10 s.
    /// </summary>
    public TimeSpan MaxWriteStall { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether a direct WebSocket handshake (<c>GET {Path}?EIO=..&amp;transport=websocket</c>, no sid, plain HTTP/1.1
    /// as a connection's first request) is served on the bare path: read off the Kestrel connection before
    /// the HTTP pipeline, answered with the 101 there and run over the connection's pipes, so the
    /// connection keeps no HttpContext or HTTP/1.1 request state for its life (a few KB less per idle
    /// connection). Everything else (polling, upgrades from polling, TLS listeners, HTTP/2, other paths,
    /// malformed requests) takes the HTTP path as before. The bare path skips the app's HTTP middleware
    /// (authentication, forwarded headers, host filtering, rate limiting, HTTP logging) for these requests; an endpoint with
    /// authorization or rate-limiting metadata, or mapped in a route group, is never served bare. Needs the connection middleware that
    /// <c>AddSocketIOServer</c>/<c>AddSocketIODistributor</c> (or <c>AddEngineIOBareWebSockets</c>) installs
    /// on Kestrel's endpoints. Default true.
    /// </summary>
    public bool BareWebSockets { get; set; } = true;

    /// <summary>Checks the options; returns a message per problem, saying what to fix.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
        {
            problems.Add($"Path must start with '/' (got '{Path}'), for example '/socket.io/'.");
        }

        if (PingInterval <= TimeSpan.Zero)
        {
            problems.Add($"PingInterval must be positive (got {PingInterval}).");
        }

        if (PingTimeout <= TimeSpan.Zero)
        {
            problems.Add($"PingTimeout must be positive (got {PingTimeout}).");
        }

        if (MaxPayload < 64)
        {
            problems.Add($"MaxPayload must be at least 64 bytes (got {MaxPayload}).");
        }

        if (!AllowPolling && !AllowWebSocket)
        {
            problems.Add("At least one transport must be allowed: set AllowPolling or AllowWebSocket to true.");
        }

        if (MaxQueuedPackets < 1 || MaxQueuedBytes < 1)
        {
            problems.Add("MaxQueuedPackets and MaxQueuedBytes must be positive.");
        }

        if (MaxWriteStall <= TimeSpan.Zero)
        {
            problems.Add($"MaxWriteStall must be positive (got {MaxWriteStall}), for example 00:00:10.");
        }

        if (UpgradeTimeout <= TimeSpan.Zero)
        {
            problems.Add($"UpgradeTimeout must be positive (got {UpgradeTimeout}).");
        }

        return problems;
    }

    internal string NormalizedPath => Path.EndsWith('/') ? Path : Path + "/";
}
