using SocketIO.Distributor.Testing;
using SocketIOEcho;

namespace SocketIO.Distributor.EndToEnd.Tests;

/// <summary>
/// The Socket.IO echo host under test: the SocketIOEcho sample started on a free loopback port, or, when
/// the environment variable <see cref="ExternalUrlVariable"/> is set, an already running server at that
/// address (for example the reference Node socket.io server, to check the tests themselves).
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    /// <summary>Names an external echo server to test instead of the sample, e.g. <c>http://127.0.0.1:3100</c>.</summary>
    public const string ExternalUrlVariable = "SIOD_SOCKETIO_ECHO_URL";

    private readonly RunningHost? _host;

    private EchoServer(string url, RunningHost? host)
    {
        Url = url;
        _host = host;
    }

    /// <summary>The base address without a trailing slash; the Socket.IO path is <c>/socket.io/</c>.</summary>
    public string Url { get; }

    /// <summary>Starts the sample (or names the external server).</summary>
    /// <param name="args">More arguments for the sample, e.g. <c>--ping-timeout=20000</c> (ignored for an external server).</param>
    public static async Task<EchoServer> StartAsync(params string[] args)
    {
        var external = Environment.GetEnvironmentVariable(ExternalUrlVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new EchoServer(external.Trim().TrimEnd('/'), host: null);
        }

        var host = await RunningHost.StartAsync(loopback => SocketIOEchoApp.Create([.. loopback, .. args]));
        return new EchoServer(host.Url, host);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
