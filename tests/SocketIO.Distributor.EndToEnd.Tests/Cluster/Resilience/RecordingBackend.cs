using System.Collections.Concurrent;
using SocketIO.Distributor.Backend;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// Backend handlers that record what happens to every socket: connections (with
/// <see cref="BackendSocket.Recovered"/>), every event (via <c>OnAny</c>) and disconnect reasons.
/// Clients learn their backend-side socket id by emitting <c>whoami</c> with an ack (v2 clients
/// do not know their server-side id); <c>message</c> is echoed back as <c>message-back</c> with this
/// backend's <see cref="Label"/> appended.
/// </summary>
internal sealed class RecordingBackend(string label)
{
    /// <summary>A name for this backend in assertions and in <c>message-back</c>.</summary>
    public string Label { get; } = label;

    /// <summary>Every connection this backend accepted, in order (a recovered socket appears again).</summary>
    public ConcurrentQueue<(string SocketId, string Namespace, bool Recovered)> Connections { get; } = new();

    /// <summary>Socket id to the reason its disconnect handler got.</summary>
    public ConcurrentDictionary<string, string> Disconnects { get; } = new(StringComparer.Ordinal);

    /// <summary>Every event any socket sent, in arrival order.</summary>
    public ConcurrentQueue<(string SocketId, string Event)> Events { get; } = new();

    /// <summary>Serves <paramref name="namespaces"/> on <paramref name="backend"/> with the recording handlers.</summary>
    public void Serve(SocketIOBackend backend, params string[] namespaces)
    {
        foreach (var nsp in namespaces)
        {
            backend.Of(nsp).OnConnection(socket =>
            {
                Connections.Enqueue((socket.Id, nsp, socket.Recovered));
                socket.OnAny(e => Events.Enqueue((socket.Id, e.Name)));
                socket.On("whoami", e => e.Ack(socket.Id, Label));
                socket.On("message", e => socket.Emit("message-back", e.Arguments[0].GetString(), Label));
                socket.OnDisconnect(reason => Disconnects[socket.Id] = reason);
            });
        }
    }

    /// <summary>True once this backend accepted <paramref name="socketId"/> as a recovered socket.</summary>
    public bool Recovered(string socketId) => Connections.Any(c => c.SocketId == socketId && c.Recovered);

    /// <summary>How many events socket <paramref name="socketId"/> sent here.</summary>
    public int EventCount(string socketId) => Events.Count(e => e.SocketId == socketId);
}
