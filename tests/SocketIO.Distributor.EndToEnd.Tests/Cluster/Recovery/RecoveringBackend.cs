using SocketIO.Distributor.Backend;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// A backend namespace with connection state recovery that counts what its handlers saw: connections
/// (and how many of them were recovered) and disconnects, per socket id.
/// </summary>
internal sealed class RecoveringBackend
{
    private readonly Lock _lock = new();
    private readonly List<string> _connections = [];
    private readonly List<(string SocketId, string Reason)> _disconnects = [];

    public BackendNamespace Nsp { get; private set; } = null!;

    public int Connections
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    public IReadOnlyList<(string SocketId, string Reason)> Disconnects
    {
        get
        {
            lock (_lock)
            {
                return [.. _disconnects];
            }
        }
    }

    public void Serve(SocketIOBackend backend, string nsp, ConnectionStateRecovery? options = null)
    {
        Nsp = backend.Of(nsp).UseConnectionStateRecovery(options).OnConnection(socket =>
        {
            lock (_lock)
            {
                _connections.Add(socket.Id);
            }

            socket.OnDisconnect(reason =>
            {
                lock (_lock)
                {
                    _disconnects.Add((socket.Id, reason));
                }
            });
        });
    }

    /// <summary>The only socket the namespace holds.</summary>
    public BackendSocket OnlySocket() =>
        Nsp.Sockets.Count == 1 ? Nsp.Sockets.Values.Single() : throw new Xunit.Sdk.XunitException($"{Nsp.Name} holds {Nsp.Sockets.Count} sockets, expected 1.");

    /// <summary>
    /// Emits <c>n</c> with <paramref name="k"/> in turn to the socket itself, to its room and to
    /// everyone, so every kind of target is missed and replayed.
    /// </summary>
    public void EmitNumber(BackendSocket socket, string room, int k)
    {
        switch (k % 3)
        {
            case 0:
                socket.Emit("n", k);
                break;
            case 1:
                Nsp.To(room).Emit("n", k);
                break;
            default:
                Nsp.Emit("n", k);
                break;
        }
    }
}
