using SocketIO.Distributor.Backend;

namespace SocketIOEcho;

/// <summary>
/// The echo behaviour of the socket.io-protocol test suite, as a backend: on connection emit
/// <c>auth</c> with the handshake auth; <c>message</c> is emitted back as <c>message-back</c>;
/// <c>message-with-ack</c> is acknowledged with its own arguments. Extension:
/// <c>request-server-ack</c> makes the server emit <c>server-ack-me</c> with an acknowledgement,
/// whose arguments come back as <c>server-ack-received</c>. Arguments are relayed as received,
/// binary attachments included, without being re-serialized.
/// </summary>
public static class EchoBackend
{
    /// <summary>Serves <c>/</c> and <c>/custom</c> on <paramref name="backend"/>.</summary>
    public static void Configure(SocketIOBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        foreach (var name in new[] { "/", "/custom" })
        {
            backend.Of(name).OnConnection(socket =>
            {
                socket.Emit("auth", socket.Handshake.Auth);
                socket.On("message", e => socket.Emit("message-back", e.Arguments));
                socket.On("message-with-ack", e => e.Ack(e.Arguments));
                socket.On("request-server-ack", async e =>
                {
                    var answer = await socket.EmitWithAckAsync("server-ack-me", [e.Arguments]);
                    socket.Emit("server-ack-received", answer);
                });
            });
        }
    }
}
