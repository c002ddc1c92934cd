using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>How a connection request is decided.</summary>
public sealed partial class BackendNamespace
{
    /// <summary>
    /// Runs the middleware; on acceptance registers the socket, answers the distributor, then runs
    /// the connection handlers (their emits follow the answer on the same bus connection, so the
    /// client sees CONNECT first). Runs on the socket's handler queue.
    /// </summary>
    internal async Task ConnectAsync(BackendSocket socket)
    {
        var rejection = await RunMiddlewareAsync(socket).ConfigureAwait(false);
        if (rejection is null && _closed)
        {
            rejection = new SocketIOException("Invalid namespace");
        }

        if (rejection is not null)
        {
            socket.MarkRejected();
            Backend.ForgetSocket(socket);
            Backend.RejectConnect(socket.DistributorId, socket.Id, Name, rejection.Message, rejection.ErrorData, rejection.Code);
            return;
        }

        _sockets[socket.Id] = socket;
        socket.MarkConnected();
        BackendMetrics.Connects.Add(1);
        BackendMetrics.Sockets.Add(1);
        BackendLog.SocketConnected(Backend.Logger, socket.Id, Name, socket.DistributorId);
        var router = Backend.Router;
        router.Publish(router.Channels.Distributor(socket.DistributorId), new ConnectResult(socket.Id, Backend.Id, true, ReadOnlyMemory<byte>.Empty, StartSession(socket)));
        foreach (var handler in _connectionHandlers)
        {
            try
            {
                await handler(socket).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                BackendMetrics.HandlerErrors.Add(1);
                BackendLog.ConnectionHandlerFailed(Backend.Logger, ex, Name, socket.Id);
            }
        }
    }

    /// <summary>Runs the middleware chain; returns null when it accepted, else why it refused.</summary>
    private async Task<SocketIOException?> RunMiddlewareAsync(BackendSocket socket)
    {
        var chain = _middleware;
        var reachedEnd = false;

        Task Next(int index)
        {
            if (index == chain.Length)
            {
                reachedEnd = true;
                return Task.CompletedTask;
            }

            return chain[index](socket, () => Next(index + 1));
        }

        try
        {
            await Next(0).ConfigureAwait(false);
        }
        catch (SocketIOException ex)
        {
            return ex;
        }
        catch (Exception ex)
        {
            BackendMetrics.HandlerErrors.Add(1);
            BackendLog.MiddlewareFailed(Backend.Logger, ex, Name, socket.Id);
            return new ConnectionRejectedException("Internal error");
        }

        if (!reachedEnd)
        {
            BackendLog.MiddlewareStopped(Backend.Logger, Name, socket.Id);
            return new ConnectionRejectedException("Internal error");
        }

        return null;
    }
}
