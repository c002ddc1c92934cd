using SocketIO.Distributor.EngineIO;

namespace SocketIO.Distributor.SocketIO;

/// <summary>Options of the Socket.IO layer and of the Engine.IO server under it.</summary>
public sealed class SocketIOOptions
{
    /// <summary>The Engine.IO options: path, heartbeats, payload limits, transports, CORS.</summary>
    public EngineOptions Engine { get; set; } = new();

    /// <summary>How long a new connection may wait before connecting to a namespace; it is closed after. Default 45 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// The most binary attachments one packet may announce; a packet announcing more closes its client
    /// (a protocol error), before any attachment is buffered. Default 10, as socket.io-parser 4.2.6's
    /// <c>maxAttachments</c> (a memory-exhaustion fix); raise it only if your clients send more binary
    /// values in one event.
    /// </summary>
    public int MaxAttachments { get; set; } = 10;

    /// <summary>The most namespaces one client may be connected to at once. Default 64.</summary>
    public int MaxNamespacesPerClient { get; set; } = 64;

    /// <summary>
    /// A file holding the socket.io client bundle (<c>dist/socket.io.min.js</c> of the npm package
    /// <c>socket.io-client</c>); when set, it is served at <c>{path}socket.io.js</c> as the Node
    /// server does, so pages need no CDN. Null: not served.
    /// </summary>
    public string? ClientScriptPath { get; set; }

    /// <summary>Checks the options; returns a message per problem, saying what to fix.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(Engine.Validate());
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            problems.Add($"ConnectTimeout must be positive (got {ConnectTimeout}).");
        }

        if (MaxAttachments < 0)
        {
            problems.Add($"MaxAttachments must not be negative (got {MaxAttachments}).");
        }

        if (ClientScriptPath is not null && !File.Exists(ClientScriptPath))
        {
            problems.Add($"ClientScriptPath '{ClientScriptPath}' does not exist: point it at socket.io.min.js from the socket.io-client npm package, or leave it unset.");
        }

        if (MaxNamespacesPerClient < 1)
        {
            problems.Add($"MaxNamespacesPerClient must be at least 1 (got {MaxNamespacesPerClient}).");
        }

        return problems;
    }
}
