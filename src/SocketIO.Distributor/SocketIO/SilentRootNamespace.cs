namespace SocketIO.Distributor.SocketIO;

/// <summary>
/// Stands in for the root namespace when no handler serves it, for EIO3 clients only: socket.io v2
/// connects every client to <c>/</c> implicitly, and a v2 client treats an error on <c>/</c> as an
/// error of all its namespaces. The root is accepted and its events ignored.
/// </summary>
internal sealed class SilentRootNamespace : INamespaceHandler
{
    public static SilentRootNamespace Instance { get; } = new();

    public ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ConnectDecision.Accept);

    public void OnConnected(ClientSocket socket)
    {
    }

    public void OnMessage(ClientSocket socket, InboundMessage message)
    {
    }

    public void OnDisconnect(ClientSocket socket, string reason)
    {
    }
}
