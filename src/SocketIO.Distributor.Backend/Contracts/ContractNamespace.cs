namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>
/// A namespace served through its typed contract: <see cref="Client"/> emits the client contract's
/// events to every socket, <see cref="To"/> to rooms. Returned by the generated <c>{Name}Contract.Serve</c>.
/// </summary>
/// <typeparam name="TClient">The client contract: what the server sends.</typeparam>
public sealed class ContractNamespace<TClient>
    where TClient : class
{
    private readonly Func<ContractEmitter, TClient> _proxy;

    /// <summary>Wraps <paramref name="nsp"/>; generated code calls this.</summary>
    /// <param name="nsp">The namespace.</param>
    /// <param name="proxy">Makes the generated client proxy for an emit target.</param>
    public ContractNamespace(BackendNamespace nsp, Func<ContractEmitter, TClient> proxy)
    {
        ArgumentNullException.ThrowIfNull(nsp);
        ArgumentNullException.ThrowIfNull(proxy);
        Namespace = nsp;
        _proxy = proxy;
        Client = Proxy((ev, args) => nsp.Emit(ev, args));
    }

    /// <summary>The untyped namespace underneath.</summary>
    public BackendNamespace Namespace { get; }

    /// <summary>Emits to every socket of the namespace, on every distributor.</summary>
    public TClient Client { get; }

    /// <summary>Emits that may be dropped for clients not ready to take them.</summary>
    public ContractBroadcast<TClient> Volatile => new(this, Namespace.Volatile);

    /// <summary>Targets the sockets in <paramref name="rooms"/> (a socket id is a room of one).</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A broadcast to them.</returns>
    public ContractBroadcast<TClient> To(params string[] rooms) => new(this, Namespace.To(rooms));

    /// <summary>Targets every socket except those in <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A broadcast to the others.</returns>
    public ContractBroadcast<TClient> Except(params string[] rooms) => new(this, Namespace.Except(rooms));

    /// <summary>The typed view of one of the namespace's sockets.</summary>
    /// <param name="socket">The socket.</param>
    /// <returns>The typed socket.</returns>
    public ContractSocket<TClient> Socket(BackendSocket socket) => new(this, socket);

    internal TClient Proxy(Action<string, SocketArguments> emit) => _proxy(new ContractEmitter(Namespace.Backend, emit));
}
