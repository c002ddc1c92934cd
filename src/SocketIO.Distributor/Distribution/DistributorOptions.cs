using SocketIO.Distributor.Bus;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Options of a distributor. Bind them from configuration (section <c>SocketIO:Distributor</c> by
/// convention) or set them in code; invalid values fail at start-up with a message saying what to fix.
/// </summary>
public sealed partial class DistributorOptions
{
    /// <summary>The Redis connection and liveness settings (connection string, channel prefix, heartbeats).</summary>
    public BusOptions Bus { get; set; } = new();

    /// <summary>The Socket.IO server settings: path, heartbeats, payload limits, CORS origins, connect timeout.</summary>
    public SocketIOOptions Server { get; set; } = new();

    /// <summary>The namespaces this distributor serves, for example <c>/chat</c>. At least one.</summary>
    public IList<string> Namespaces { get; set; } = [];

    /// <summary>This distributor's id (a short word; default: 8 random characters). Socket ids start with it.</summary>
    public string? DistributorId { get; set; }

    /// <summary>How long to wait for a backend's answer to a CONNECT before refusing it. Default 5 s.</summary>
    public TimeSpan BackendConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Request headers passed to backends in the handshake (lower case). <c>*</c> passes all of them.
    /// Default: user-agent, accept-language, origin, referer, host, x-forwarded-for, x-forwarded-proto, x-real-ip.
    /// </summary>
    public IList<string> ForwardedHeaders { get; set; } =
        ["user-agent", "accept-language", "origin", "referer", "host", "x-forwarded-for", "x-forwarded-proto", "x-real-ip"];

    /// <summary>
    /// Adds data for the backend to a client's connection (the original's <c>onClientConnect</c>): its
    /// result is serialized to JSON as the handshake's <c>extra</c>.
    /// </summary>
    public Func<ClientSocket, ValueTask<object?>>? OnClientConnect { get; set; }

    /// <summary>
    /// Distributor-level middleware, run in order before a backend is asked: return a rejection to
    /// refuse the connection (<see cref="ConnectDecision.Reject"/>), or null to let it through.
    /// </summary>
    public IList<Func<ClientSocket, ValueTask<ConnectDecision?>>> Middleware { get; } = [];

    /// <summary>How often to log connection and traffic statistics; zero turns it off. Default 60 s.</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// When hosted (<c>AddSocketIODistributor</c>): gives the GC's spare memory back to the system once the process goes
    /// quiet after a busy stretch, such as a burst of connections (<see cref="Bus.QuietMemoryTrim"/>: one
    /// compacting, decommitting collection per quiet stretch). Default true.
    /// </summary>
    public bool TrimMemoryWhenQuiet { get; set; } = true;

    /// <summary>Where clients reach this distributor (for <c>siod status</c>); informational.</summary>
    public string PublicEndpoint { get; set; } = string.Empty;

    /// <summary>The most messages buffered for a socket whose CONNECT is not yet written. Default 1,024.</summary>
    public int MaxBufferedBeforeConnect { get; set; } = 1024;

    /// <summary>
    /// How long a draining distributor (told by <c>SocketIODistributor.DrainAsync</c>, or by the host
    /// stopping, e.g. on SIGTERM) spreads the closing of its sessions over, so that their clients
    /// reconnect to the other distributors gradually instead of all at once. Keep it below the host's
    /// shutdown timeout (30 s by default). Default 10 s; zero closes every session at once.
    /// </summary>
    public TimeSpan DrainWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most client events with an ack id per socket that may await their backend's answer (each is
    /// held so that a backend lost before answering is answered with a <c>BACKEND_LOST</c> error ack).
    /// Beyond, the oldest one is no longer held (and counted in <see cref="DistributorStatistics.AcksUntracked"/>):
    /// the event still travels, but a loss of its backend would not be answered for it. Default 1,024.
    /// </summary>
    public int MaxPendingAcks { get; set; } = 1024;

    /// <summary>
    /// How long a backend that announced its departure may drain what it received before whatever it
    /// still owes is answered with a <c>BACKEND_LOST</c> error ack (it normally says when it is done,
    /// well before). Longer than the backends' <c>DrainTimeout</c>. Default 30 s.
    /// </summary>
    public TimeSpan BackendDrainGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// While a backend owes answers to client events, how often its inbox is probed (a PUBLISH whose
    /// receiver count says whether anybody listens), so that a backend that died while its clients wait
    /// is found within this interval instead of a member timeout. Only with
    /// <see cref="BusOptions.TrustPublishReceiverCounts"/>. Default 250 ms.
    /// </summary>
    public TimeSpan BackendProbeInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Checks the options; returns a message per problem, saying what to fix.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        problems.AddRange(Bus.Validate());
        problems.AddRange(Server.Validate());
        if (Namespaces.Count == 0)
        {
            problems.Add("Namespaces is empty: list the namespaces this distributor serves, for example \"/chat\".");
        }

        foreach (var nsp in Namespaces)
        {
            if (string.IsNullOrEmpty(nsp) || nsp[0] != '/' || nsp.Contains(',', StringComparison.Ordinal) || nsp.Contains('?', StringComparison.Ordinal))
            {
                problems.Add($"Namespace '{nsp}' must start with '/' and contain no ',' or '?'.");
            }
        }

        if (DistributorId is not null && (DistributorId.Length is 0 or > 32 || !DistributorId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            problems.Add($"DistributorId '{DistributorId}' must be 1-32 characters of letters, digits, '-' or '_'.");
        }

        if (BackendConnectTimeout <= TimeSpan.Zero)
        {
            problems.Add($"BackendConnectTimeout must be positive (got {BackendConnectTimeout}).");
        }

        if (StatsInterval < TimeSpan.Zero)
        {
            problems.Add($"StatsInterval must not be negative (got {StatsInterval}); use 0 to turn statistics off.");
        }

        if (DrainWindow < TimeSpan.Zero)
        {
            problems.Add($"DrainWindow must not be negative (got {DrainWindow}); use 0 to close every session at once.");
        }

        if (MaxBufferedBeforeConnect < 1)
        {
            problems.Add($"MaxBufferedBeforeConnect must be at least 1 (got {MaxBufferedBeforeConnect}).");
        }

        if (BackendProbeInterval <= TimeSpan.Zero)
        {
            problems.Add($"BackendProbeInterval must be positive (got {BackendProbeInterval}).");
        }

        if (MaxPendingAcks < 1)
        {
            problems.Add($"MaxPendingAcks must be at least 1 (got {MaxPendingAcks}).");
        }

        if (BackendDrainGrace <= TimeSpan.Zero)
        {
            problems.Add($"BackendDrainGrace must be positive (got {BackendDrainGrace}); make it longer than the backends' DrainTimeout.");
        }

        ValidateRelay(problems);
        return problems;
    }
}
