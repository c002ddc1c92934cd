using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.SocketIO;

/// <summary>
/// A Socket.IO server: the Engine.IO server plus namespaces. Each namespace is served by an
/// <see cref="INamespaceHandler"/>; a CONNECT to any other namespace gets
/// <c>{"message":"Invalid namespace"}</c>.
/// </summary>
public sealed class SocketIOServer : IEngineConnectionHandler
{
    private readonly ConcurrentDictionary<string, INamespaceHandler> _namespaces = new(StringComparer.Ordinal);

    /// <summary>Creates a server.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="time">The clock for heartbeats and timeouts.</param>
    /// <param name="loggerFactory">Creates the logs.</param>
    /// <param name="meterFactory">Creates the meters (from the host's services); null for meters of its own.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message says what to fix.</exception>
    public SocketIOServer(SocketIOOptions options, TimeProvider time, ILoggerFactory loggerFactory, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid Socket.IO options: " + string.Join(" ", problems), nameof(options));
        }

        Options = options;
        Time = time;
        Logger = loggerFactory.CreateLogger<SocketIOServer>();
        Engine = new EngineServer(options.Engine, this, time, loggerFactory.CreateLogger<EngineServer>(), meterFactory);
    }

    /// <summary>The options in force.</summary>
    public SocketIOOptions Options { get; }

    /// <summary>The Engine.IO server underneath.</summary>
    public EngineServer Engine { get; }

    /// <summary>Makes new socket ids. Default: 128 random bits, base64url.</summary>
    public Func<string> SocketIdGenerator { get; set; } = EngineServer.NewSessionId;

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>Serves <paramref name="name"/> with <paramref name="handler"/>.</summary>
    /// <param name="name">The namespace, starting with <c>/</c>.</param>
    /// <param name="handler">Its handler.</param>
    /// <exception cref="ArgumentException">The name does not start with '/' or is already served.</exception>
    public void AddNamespace(string name, INamespaceHandler handler)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(handler);
        if (name.Length == 0 || name[0] != '/')
        {
            throw new ArgumentException($"A namespace must start with '/' (got '{name}').", nameof(name));
        }

        if (!_namespaces.TryAdd(name, handler))
        {
            throw new ArgumentException($"Namespace '{name}' is already served.", nameof(name));
        }
    }

    /// <summary>
    /// Creates the handler of a namespace not served yet, or returns null to refuse it (dynamic namespaces: the
    /// distributor creates one when a live backend declares a matching pattern).
    /// </summary>
    internal Func<string, INamespaceHandler?>? NamespaceFallback { get; set; }

    /// <summary>Stops serving a namespace created by <see cref="NamespaceFallback"/> (if it is still that handler).</summary>
    internal void RemoveNamespace(string name, INamespaceHandler handler) =>
        _namespaces.TryRemove(new KeyValuePair<string, INamespaceHandler>(name, handler));

    internal bool TryGetNamespace(string name, out INamespaceHandler handler)
    {
        if (_namespaces.TryGetValue(name, out handler!))
        {
            return true;
        }

        if (NamespaceFallback?.Invoke(name) is not { } created)
        {
            return false;
        }

        handler = _namespaces.GetOrAdd(name, created);
        return true;
    }

    /// <summary>
    /// The id a client's CONNECT asks to keep (connection state recovery: the auth carries the
    /// session's pid, which names the socket), given the namespace and the auth JSON; null for a new id.
    /// </summary>
    public Func<string, ReadOnlyMemory<byte>, string?>? RecoveredSocketId { get; set; }

    internal string NewSocketId() => SocketIdGenerator();

    /// <summary>The id of a socket connecting to <paramref name="nsp"/>: its former one when it asks to recover (EIO4 only), else a new one.</summary>
    internal string SocketIdFor(string nsp, ReadOnlyMemory<byte> auth, EngineProtocolVersion version) =>
        version != EngineProtocolVersion.V3 && RecoveredSocketId?.Invoke(nsp, auth) is { } id ? id : SocketIdGenerator();

    void IEngineConnectionHandler.OnOpen(EngineSession session)
    {
        var client = new SocketClient(this, session);
        session.UserState = client;
        if (session.ProtocolVersion == EngineProtocolVersion.V3)
        {
            client.ConnectRootForEio3();
        }
    }

    void IEngineConnectionHandler.OnMessage(EngineSession session, in EnginePacket packet) =>
        ((SocketClient)session.UserState!).OnMessage(packet);

    void IEngineConnectionHandler.OnClose(EngineSession session, string reason) =>
        (session.UserState as SocketClient)?.OnClose(reason);
}
