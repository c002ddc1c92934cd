using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SocketIO.Distributor.Hosting;

/// <summary>
/// Kestrel's transport for TCP endpoints when the bare WebSocket path is installed: binds as Kestrel's own
/// socket transport does (with its <see cref="SocketTransportOptions"/>) and listens with a
/// <see cref="BareSocketListener"/>, which serves bare handshakes on the socket itself and hands every other
/// connection to Kestrel as its socket transport would. Other endpoints (Unix sockets, handles) keep Kestrel's.
/// </summary>
internal sealed class BareSocketTransportFactory(
    IOptions<SocketTransportOptions> options,
    ILoggerFactory loggerFactory,
    BareWebSocketConnections connections,
    IOptions<HostOptions> hostOptions) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <inheritdoc />
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    /// <inheritdoc />
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var transport = options.Value;
        var listenSocket = transport.CreateBoundListenSocket(endpoint);
        try
        {
            listenSocket.Listen(transport.Backlog);
        }
        catch
        {
            listenSocket.Dispose();
            throw;
        }

        var kestrel = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions
            {
                IOQueueCount = transport.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = transport.MaxReadBufferSize,
                MaxWriteBufferSize = transport.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
            },
            loggerFactory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        IConnectionListener listener = new BareSocketListener(listenSocket, transport.NoDelay, kestrel, connections, hostOptions.Value.ShutdownTimeout, loggerFactory.CreateLogger<BareSocketListener>());
        return new ValueTask<IConnectionListener>(listener);
    }
}
