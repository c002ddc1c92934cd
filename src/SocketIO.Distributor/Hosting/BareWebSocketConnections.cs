using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Hosting;

/// <summary>
/// The Kestrel connection middleware of the bare WebSocket path: looks at a new connection's first bytes
/// (without consuming them) and, when they are a direct Engine.IO WebSocket handshake for a server mapped
/// with <c>MapEngineIO</c>/<c>MapSocketIO</c> whose <see cref="EngineOptions.BareWebSockets"/> is on, serves
/// the connection itself; every other connection goes to the next middleware (the HTTP pipeline) with its
/// bytes untouched.
/// </summary>
internal sealed partial class BareWebSocketConnections(ILogger<BareWebSocketConnections> logger)
{
    /// <summary>How long a connection may take to send its first request's head before it is left to Kestrel (and its own timeout).</summary>
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private Entry[] _servers = [];

    /// <summary>True once a server is mapped with the bare path on (the middleware peeks only then).</summary>
    public bool IsActive => Volatile.Read(ref _servers).Length > 0;

    /// <summary>Serves <paramref name="server"/>'s direct WebSocket handshakes bare, unless its endpoint asks for authorization or rate limiting.</summary>
    public void Add(EngineServer server, IEndpointRouteBuilder endpoints)
    {
        if (!server.Options.BareWebSockets)
        {
            return;
        }

        lock (_gate)
        {
            _servers = [.. _servers, new Entry(server, endpoints.DataSources)];
        }
    }

    /// <summary>The middleware: <c>ListenOptions.Use(connections.Wrap)</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => OnConnectedAsync(connection, next);

    private async Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var servers = Volatile.Read(ref _servers);
        if (servers.Length == 0)
        {
            await next(connection);
            return;
        }

        var (served, head) = await PeekAsync(connection, servers);
        if (served is null || head is null)
        {
            await next(connection);
            return;
        }

        (WebSocket Socket, WebSocketTransport Transport)? opened;
        try
        {
            opened = await served.Value.Server.OpenBareAsync(connection, head, served.Value.Version);
        }
        catch (Exception e)
        {
            // One connection's fault ends that connection only.
            Log.BareConnectionFailed(logger, connection.ConnectionId, e);
            connection.Abort(new ConnectionAbortedException("Engine.IO bare WebSocket failed", e));
            return;
        }

        // The request's head is not needed any more: not kept alive by this method's state for the connection's life.
        head = null;
        served = null;
        if (opened is not { } open)
        {
            return;
        }

        using var socket = open.Socket;
        try
        {
            // No token: the connection's end (the peer's FIN or reset, an abort, the server's shutdown) completes the
            // transport's input, which ends the WebSocket's read by itself. A token would put a cancellation callback
            // on the connection for every read, i.e. for the whole life of an idle connection.
            await open.Transport.RunAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            Log.BareConnectionFailed(logger, connection.ConnectionId, e);
            connection.Abort(new ConnectionAbortedException("Engine.IO bare WebSocket failed", e));
        }
    }

    private async Task<((EngineServer Server, EngineProtocolVersion Version)? Served, BareWebSocketRequest? Head)> PeekAsync(ConnectionContext connection, Entry[] servers)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(HeadTimeout);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException)
            {
                // Too slow, reset or aborted before its head: Kestrel's HTTP pipeline sees the same and ends the connection as usual.
                return (null, null);
            }

            var buffer = read.Buffer;
            var undecided = false;
            foreach (var entry in servers)
            {
                var result = BareWebSocketRequest.Peek(buffer, entry.Server.Options.NormalizedPath, out var request, out var headLength);
                if (result == BareWebSocketRequest.PeekResult.NeedMore)
                {
                    undecided = true;
                }
                else if (result == BareWebSocketRequest.PeekResult.Bare && entry.MayServeBare(logger)
                    && entry.Server.AcceptsBare(request!, out var version))
                {
                    input.AdvanceTo(buffer.GetPosition(headLength));
                    return ((entry.Server, version), request);
                }
            }

            if (!undecided || read.IsCompleted || read.IsCanceled)
            {
                // Hand over with nothing consumed and nothing examined: the HTTP pipeline's first read returns these bytes at once.
                input.AdvanceTo(buffer.Start, buffer.Start);
                return (null, null);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private sealed class Entry(EngineServer server, ICollection<EndpointDataSource> sources)
    {
        private int _checked;
        private volatile bool _allowed;

        public EngineServer Server => server;

        /// <summary>
        /// The endpoint's conventions (RequireAuthorization, RequireRateLimiting) are applied after MapEngineIO
        /// returns: checked at the first request. The bare path would bypass them, so such an endpoint is never served bare.
        /// </summary>
        public bool MayServeBare(ILogger logger)
        {
            if (Interlocked.Exchange(ref _checked, 1) == 0)
            {
                var name = "Engine.IO " + server.Options.NormalizedPath;
                // The app's data sources as they are now (the endpoint's own is added by Map, after Add).
                var guarded = sources.ToArray().SelectMany(source => source.Endpoints)
                    .Where(endpoint => endpoint.DisplayName == name)
                    .Any(endpoint => endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null
                        || endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null);
                if (guarded)
                {
                    Log.BareDisabledByEndpoint(logger, server.Options.NormalizedPath);
                }

                _allowed = !guarded;
            }

            return _allowed;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1040, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: the bare WebSocket failed")]
        public static partial void BareConnectionFailed(ILogger logger, string connectionId, Exception exception);

        [LoggerMessage(EventId = 1041, Level = LogLevel.Information, Message = "Engine.IO at {Path}: the endpoint requires authorization or rate limiting, so its WebSockets take the HTTP path (BareWebSockets ignored)")]
        public static partial void BareDisabledByEndpoint(ILogger logger, string path);
    }
}
