namespace SocketIO.Distributor.SocketIO;

/// <summary>
/// The server side of one namespace, seen from the connections: an in-process handler, or the relay
/// that forwards everything to the namespace's backends. Calls for one socket never overlap, except
/// that <see cref="OnDisconnect"/> may arrive while <see cref="OnConnectAsync"/> is still pending.
/// </summary>
public interface INamespaceHandler
{
    /// <summary>Decides whether a client may connect to the namespace.</summary>
    /// <param name="socket">The socket that would be created (not yet connected).</param>
    /// <param name="cancellationToken">Cancelled if the client goes away meanwhile.</param>
    /// <returns>The decision.</returns>
    ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken);

    /// <summary>The client was told it is connected (CONNECT was sent); the handler may now emit to it.</summary>
    /// <param name="socket">The connected socket.</param>
    void OnConnected(ClientSocket socket);

    /// <summary>The client sent an EVENT or an ACK (with its binary attachments, if any).</summary>
    /// <param name="socket">The socket it came from.</param>
    /// <param name="message">The packet; its memory is owned by the message and may be kept.</param>
    void OnMessage(ClientSocket socket, InboundMessage message);

    /// <summary>The socket left the namespace.</summary>
    /// <param name="socket">The socket.</param>
    /// <param name="reason">Why, in socket.io's words (<c>client namespace disconnect</c>, <c>transport close</c>, ...).</param>
    void OnDisconnect(ClientSocket socket, string reason);
}
