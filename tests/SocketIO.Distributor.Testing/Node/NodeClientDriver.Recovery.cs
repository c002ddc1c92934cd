using System.Text.Json.Nodes;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>Network blips and reconnections, for connection state recovery.</summary>
public sealed partial class NodeClientDriver
{
    /// <summary>
    /// Destroys the TCP connection under socket <paramref name="name"/>'s websocket, as a network blip
    /// would; the socket then reports <c>$disconnect</c> (<c>transport close</c>) and stays disconnected.
    /// </summary>
    public async Task CutAsync(string name) =>
        EnsureOk(await CommandAsync(new JsonObject { ["cmd"] = "cut", ["name"] = name }), "cut the connection", name);

    /// <summary>
    /// Connects socket <paramref name="name"/> again, to <paramref name="url"/> when given (another
    /// distributor); its <c>$connect</c> follows, whose <c>recovered</c> says if the session was recovered.
    /// A socket the client still counts as connected (a cut whose close it has not processed yet) is
    /// waited for first: socket.io-client's <c>connect()</c> does nothing on a connected socket.
    /// </summary>
    public async Task ReconnectAsync(string name, string? url = null) =>
        EnsureOk(await CommandAsync(new JsonObject { ["cmd"] = "reconnect", ["name"] = name, ["url"] = url }), "reconnect", name);
}
