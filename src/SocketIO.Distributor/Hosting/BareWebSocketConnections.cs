using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
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
    internal static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection that ends gracefully may take to send its last frames before it is closed anyway.</summary>
    private static readonly TimeSpan LastFramesTimeout = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private Entry[] _servers = [];

    private long _servedOnSockets;

    /// <summary>How many bare handshakes the bare transport served on the socket itself (the rest of the bare ones: over Kestrel's connections).</summary>
    internal long ServedOnSockets => Interlocked.Read(ref _servedOnSockets);

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

    /// <summary>
    /// Serves a bare handshake accepted by the bare transport (<see cref="BareSocketListener"/>) on the socket
    /// itself: the head is already taken off it. Closes the socket when the session ends, then calls
    /// <paramref name="ended"/>. One connection's fault ends that connection only.
    /// </summary>
    internal async Task ServeAsync(Socket socket, EngineServer server, EngineProtocolVersion version, BareWebSocketRequest request, Action<Socket> ended)
    {
        Interlocked.Increment(ref _servedOnSockets);
        var pipe = new SocketPipe(socket);
        var graceful = true;
        try
        {
            (WebSocket Socket, WebSocketTransport Transport)? opened;
            try
            {
                opened = await server.OpenBareAsync(pipe, (socket.RemoteEndPoint as IPEndPoint)?.Address, static s => Abort((Socket)s), socket, request, version);
            }
            finally
            {
                // The request's head is not needed any more: not kept alive by this method's state for the connection's life.
                request = null!;
            }

            if (opened is not { } open)
            {
                // Refused: the 403 is on its way.
                return;
            }

            using var webSocket = open.Socket;

            // No token, as on Kestrel's connections: the socket's end completes the read.
            await open.Transport.RunAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            graceful = false;
            Log.BareConnectionFailed(logger, Describe(socket), e);
            Abort(socket);
        }
        finally
        {
            if (graceful)
            {
                // What was written last (a 403, the Close frame) goes out before the FIN.
                await ((SocketPipeWriter)pipe.Output).WhenSentAsync(LastFramesTimeout);
            }

            pipe.Input.Complete();
            pipe.Output.Complete();
            Close(socket);
            ended(socket);
        }
    }

    private static string Describe(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint?.ToString() ?? "?";
        }
        catch (ObjectDisposedException)
        {
            return "a closed socket";
        }
    }

    /// <summary>Resets a connection served on its socket (SO_LINGER 0: unsent data dropped), as a Kestrel connection's abort.</summary>
    internal static void Abort(Socket socket)
    {
        EngineHttp.ResetOnClose(socket);
        socket.Dispose();
    }

    /// <summary>Ends a connection served on its socket: FIN after what was sent, then closes it.</summary>
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the peer, or aborted: nothing to end gracefully.
        }

        socket.Dispose();
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
            var choice = Choose(servers, buffer, out var chosen, out var request, out var headLength);
            if (choice == BareChoice.Bare)
            {
                input.AdvanceTo(buffer.GetPosition(headLength));
                return (chosen, request);
            }

            if (choice == BareChoice.NotBare || read.IsCompleted || read.IsCanceled)
            {
                // Hand over with nothing consumed and nothing examined: the HTTP pipeline's first read returns these bytes at once.
                input.AdvanceTo(buffer.Start, buffer.Start);
                return (null, null);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>What a connection's first bytes say.</summary>
    internal enum BareChoice
    {
        /// <summary>Not a bare handshake for any server: the HTTP pipeline serves it.</summary>
        NotBare,

        /// <summary>The head is not complete yet.</summary>
        NeedMore,

        /// <summary>A direct WebSocket handshake one server serves bare.</summary>
        Bare,
    }

    /// <summary>The servers served bare now (empty until one with <see cref="EngineOptions.BareWebSockets"/> on is mapped).</summary>
    internal Entry[] Servers => Volatile.Read(ref _servers);

    /// <summary>Reads a connection's first bytes: a direct Engine.IO WebSocket handshake that one of <paramref name="servers"/> serves bare, or not.</summary>
    internal BareChoice Choose(Entry[] servers, ReadOnlySequence<byte> buffer, out (EngineServer Server, EngineProtocolVersion Version)? chosen, out BareWebSocketRequest? request, out int headLength)
    {
        var undecided = false;
        foreach (var entry in servers)
        {
            var result = BareWebSocketRequest.Peek(buffer, entry.Server.Options.NormalizedPath, out request, out headLength);
            if (result == BareWebSocketRequest.PeekResult.NeedMore)
            {
                undecided = true;
            }
            else if (result == BareWebSocketRequest.PeekResult.Bare && entry.MayServeBare(logger)
                && entry.Server.AcceptsBare(request!, out var version))
            {
                chosen = (entry.Server, version);
                return BareChoice.Bare;
            }
        }

        chosen = null;
        request = null;
        headLength = 0;
        return undecided ? BareChoice.NeedMore : BareChoice.NotBare;
    }

    internal sealed class Entry(EngineServer server, ICollection<EndpointDataSource> sources)
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
