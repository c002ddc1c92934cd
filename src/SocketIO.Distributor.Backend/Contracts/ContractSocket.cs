namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>
/// One client's socket, typed by the client contract: <see cref="Client"/> emits to this client,
/// <see cref="Others"/> and <see cref="To"/> to other sockets, <see cref="Namespace"/> to everyone.
/// </summary>
/// <typeparam name="TClient">The client contract.</typeparam>
public sealed class ContractSocket<TClient>
    where TClient : class
{
    internal ContractSocket(ContractNamespace<TClient> nsp, BackendSocket socket)
    {
        Namespace = nsp;
        Socket = socket;
        Client = nsp.Proxy((ev, args) => socket.Emit(ev, args));
    }

    /// <summary>The untyped socket underneath.</summary>
    public BackendSocket Socket { get; }

    /// <summary>The typed namespace.</summary>
    public ContractNamespace<TClient> Namespace { get; }

    /// <summary>The socket id (also a room of one).</summary>
    public string Id => Socket.Id;

    /// <summary>What the client sent when it connected.</summary>
    public SocketHandshake Handshake => Socket.Handshake;

    /// <summary>Emits to this socket's client.</summary>
    public TClient Client { get; }

    /// <summary>Emits to every other socket of the namespace (socket.io's <c>socket.broadcast</c>).</summary>
    public ContractBroadcast<TClient> Others => new(Namespace, Socket.Broadcast);

    /// <summary>Targets the sockets in <paramref name="rooms"/>, leaving this one out (socket.io's <c>socket.to</c>).</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A broadcast to them.</returns>
    public ContractBroadcast<TClient> To(params string[] rooms) => new(Namespace, Socket.To(rooms));

    /// <summary>Joins rooms and waits until broadcasts to them reach this socket.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A task that completes once the join took effect.</returns>
    public Task JoinAsync(params string[] rooms) => Socket.JoinAsync(rooms);

    /// <summary>Leaves rooms and waits until the distributor confirms.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A task that completes once the leave took effect.</returns>
    public Task LeaveAsync(params string[] rooms) => Socket.LeaveAsync(rooms);
}
