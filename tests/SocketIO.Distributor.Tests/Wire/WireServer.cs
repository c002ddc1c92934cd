using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.Wire;

/// <summary>
/// The server a wire conformance test talks to: the sample echo host started on its own loopback port,
/// or an external server named by an environment variable (so the same suite runs against the Node
/// reference implementation: <c>SIOD_ENGINEIO_ECHO_URL</c> / <c>SIOD_SOCKETIO_ECHO_URL</c>).
/// </summary>
internal sealed class WireServer : IAsyncDisposable
{
    /// <summary>Names the external Engine.IO echo server, for example <c>http://127.0.0.1:3000</c>.</summary>
    public const string EngineIOUrlVariable = "SIOD_ENGINEIO_ECHO_URL";

    /// <summary>Names the external Socket.IO echo server, for example <c>http://127.0.0.1:3001</c>.</summary>
    public const string SocketIOUrlVariable = "SIOD_SOCKETIO_ECHO_URL";

    private readonly RunningHost? _host;

    private WireServer(string url, string path, RunningHost? host)
    {
        Url = url.TrimEnd('/');
        Path = path;
        _host = host;
    }

    /// <summary>The base address without a trailing slash.</summary>
    public string Url { get; }

    /// <summary>The WebSocket form of <see cref="Url"/>.</summary>
    public string WebSocketUrl => "ws" + Url["http".Length..];

    /// <summary>The Engine.IO endpoint path, with both slashes: <c>/engine.io/</c> or <c>/socket.io/</c>.</summary>
    public string Path { get; }

    /// <summary>Starts (or points at) the Engine.IO echo host: path /engine.io/, pingInterval 300, pingTimeout 200.</summary>
    public static Task<WireServer> StartEngineIOAsync() =>
        StartAsync(EngineIOUrlVariable, "/engine.io/", EngineIOEcho.EngineIOEchoApp.Create);

    /// <summary>The Engine.IO echo host with changed options (for example no heartbeat to race with).</summary>
    public static Task<WireServer> StartEngineIOAsync(Action<global::SocketIO.Distributor.EngineIO.EngineOptions> configure) =>
        StartAsync(EngineIOUrlVariable, "/engine.io/", args => EngineIOEcho.EngineIOEchoApp.Create(args, configure));

    /// <summary>
    /// Always starts this repository's Engine.IO echo host, never an external one: for tests of this
    /// server's own features (handshake gate, slow clients, draining) that the reference does not have.
    /// </summary>
    public static async Task<WireServer> StartLocalEngineIOAsync(Action<global::SocketIO.Distributor.EngineIO.EngineOptions> configure)
    {
        var host = await RunningHost.StartAsync(args => EngineIOEcho.EngineIOEchoApp.Create(args, configure));
        return new WireServer(host.Url, "/engine.io/", host);
    }

    /// <summary>Starts (or points at) the Socket.IO echo host: path /socket.io/, pingInterval 300, pingTimeout 200, connectTimeout 1000.</summary>
    public static Task<WireServer> StartSocketIOAsync() =>
        StartAsync(SocketIOUrlVariable, "/socket.io/", SocketIOEcho.SocketIOEchoApp.Create);

    /// <summary>The HTTP address of the endpoint with <paramref name="query"/> (no leading '?').</summary>
    public Uri HttpUri(string query) => new($"{Url}{Path}?{query}");

    /// <summary>The WebSocket address of the endpoint with <paramref name="query"/> (no leading '?').</summary>
    public Uri WebSocketUri(string query) => new($"{WebSocketUrl}{Path}?{query}");

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static async Task<WireServer> StartAsync(
        string variable, string path, Func<string[], Microsoft.AspNetCore.Builder.WebApplication> create)
    {
        var external = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new WireServer(external, path, host: null);
        }

        var host = await RunningHost.StartAsync(create);
        return new WireServer(host.Url, path, host);
    }
}
