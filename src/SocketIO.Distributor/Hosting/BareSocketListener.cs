using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Hosting;

/// <summary>
/// A Kestrel listener (an <see cref="IConnectionListener"/> on one TCP endpoint) that looks at each accepted
/// connection's first bytes without consuming them (<c>MSG_PEEK</c>): a direct Engine.IO WebSocket handshake
/// for a server served bare is answered and served here, on the socket itself (<see cref="SocketPipe"/>), so
/// the connection costs none of Kestrel's per-connection state (two pipes, its send and receive loops,
/// connection context, features); every other connection is handed to Kestrel exactly as its own socket
/// transport would have created it, with its bytes untouched. A head that has not fully arrived in the first
/// segment also goes to Kestrel, whose connection middleware (<see cref="BareWebSocketConnections"/>) can still
/// serve it bare over Kestrel's pipes.
/// </summary>
internal sealed partial class BareSocketListener : IConnectionListener
{
    /// <summary>The most bytes of a head looked at; a longer head takes the HTTP path.</summary>
    private const int MaxPeek = 8 * 1024;

    private readonly Socket _listenSocket;
    private readonly bool _noDelay;
    private readonly SocketConnectionContextFactory _kestrel;
    private readonly BareWebSocketConnections _connections;
    private readonly ILogger _logger;
    private readonly Channel<ConnectionContext> _handOver = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Socket, byte> _served = new();
    private readonly Task _accepting;
    private readonly TimeSpan _shutdownTimeout;
    private readonly TaskCompletionSource _allEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _unbound;

    public BareSocketListener(Socket listenSocket, bool noDelay, SocketConnectionContextFactory kestrel, BareWebSocketConnections connections, TimeSpan shutdownTimeout, ILogger logger)
    {
        _shutdownTimeout = shutdownTimeout;
        _listenSocket = listenSocket;
        _noDelay = noDelay;
        _kestrel = kestrel;
        _connections = connections;
        _logger = logger;
        EndPoint = listenSocket.LocalEndPoint!;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <inheritdoc />
    public EndPoint EndPoint { get; }

    /// <summary>Connections served bare by this listener now (tests tell the transports apart by it).</summary>
    internal int ServedNow => _served.Count;

    /// <inheritdoc />
    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _handOver.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _unbound = true;
        _listenSocket.Dispose();
        await _accepting.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);

        // As Kestrel does with its own connections: the host's stop (the Engine.IO drain) closes them
        // gracefully, waited for up to the host's shutdown timeout; what is left then is reset.
        if (!_served.IsEmpty)
        {
            try
            {
                await _allEnded.Task.WaitAsync(_shutdownTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Log.ShutdownTimedOut(_logger, _served.Count);
            }
        }

        foreach (var socket in _served.Keys)
        {
            BareWebSocketConnections.Abort(socket);
        }

        while (_handOver.Reader.TryRead(out var unclaimed))
        {
            await unclaimed.DisposeAsync().ConfigureAwait(false);
        }

        _kestrel.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_unbound)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync().ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && !_unbound)
            {
                // The client gave up before it was accepted: as Kestrel's own listener, go on.
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_unbound)
                {
                    Log.AcceptFailed(_logger, e);
                }

                break;
            }

            if (socket.LocalEndPoint is IPEndPoint)
            {
                socket.NoDelay = _noDelay;
            }

            var servers = _connections.Servers;
            if (servers.Length == 0)
            {
                HandOver(socket);
                continue;
            }

            _ = ClassifyAsync(socket, servers);
        }

        _handOver.Writer.TryComplete();
    }

    /// <summary>Serves the connection bare if its first bytes are a bare handshake; hands it to Kestrel otherwise.</summary>
    private async Task ClassifyAsync(Socket socket, BareWebSocketConnections.Entry[] servers)
    {
        byte[]? head = null;
        (EngineIO.EngineServer Server, Protocol.EngineIO.EngineProtocolVersion Version)? chosen;
        EngineIO.BareWebSocketRequest? request;
        try
        {
            using (var timeout = new CancellationTokenSource(BareWebSocketConnections.HeadTimeout))
            {
                // Waits for the first bytes with no buffer (a connection that sends nothing holds none), then
                // looks at them without taking them.
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                head = ArrayPool<byte>.Shared.Rent(MaxPeek);
                var peeked = await socket.ReceiveAsync(head.AsMemory(0, MaxPeek), SocketFlags.Peek, timeout.Token).ConfigureAwait(false);
                var choice = _connections.Choose(servers, new ReadOnlySequence<byte>(head, 0, peeked), out chosen, out request, out var headLength);
                if (choice != BareWebSocketConnections.BareChoice.Bare)
                {
                    HandOver(socket);
                    return;
                }

                // The head is ours: take it off the socket (it is all there, the peek saw it).
                for (var taken = 0; taken < headLength;)
                {
                    taken += await socket.ReceiveAsync(head.AsMemory(0, headLength - taken), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Silent for longer than the middleware waits for a head: Kestrel's own timeouts decide.
            HandOver(socket);
            return;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset or closed before its head: nothing to serve.
            socket.Dispose();
            return;
        }
        finally
        {
            if (head is not null)
            {
                ArrayPool<byte>.Shared.Return(head);
            }
        }

        if (_unbound)
        {
            // The server is stopping: no new connection is served.
            socket.Dispose();
            return;
        }

        // Not awaited: this method's state (the head's request among it) ends here, not with the connection.
        _served[socket] = 0;
        _ = _connections.ServeAsync(socket, chosen!.Value.Server, chosen.Value.Version, request!, _onServedEnd ??= OnServedEnd);
    }

    private void OnServedEnd(Socket socket)
    {
        _served.TryRemove(socket, out _);
        if (_unbound && _served.IsEmpty)
        {
            _allEnded.TrySetResult();
        }
    }

    private Action<Socket>? _onServedEnd;

    private void HandOver(Socket socket)
    {
        var connection = _kestrel.Create(socket);
        if (!_handOver.Writer.TryWrite(connection))
        {
            // Unbound meanwhile: Kestrel takes no more connections.
            _ = connection.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1043, Level = LogLevel.Warning, Message = "{Count} bare WebSocket connection(s) still open at the end of the shutdown timeout: reset")]
        public static partial void ShutdownTimedOut(ILogger logger, int count);

        [LoggerMessage(EventId = 1042, Level = LogLevel.Error, Message = "Accepting connections failed; this endpoint accepts no more")]
        public static partial void AcceptFailed(ILogger logger, Exception exception);
    }
}
