namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>A typed broadcast: <see cref="Client"/> emits the client contract's events to the targeted sockets. Immutable.</summary>
/// <typeparam name="TClient">The client contract.</typeparam>
public sealed class ContractBroadcast<TClient>
    where TClient : class
{
    private readonly ContractNamespace<TClient> _namespace;

    internal ContractBroadcast(ContractNamespace<TClient> nsp, BroadcastOperator target)
    {
        _namespace = nsp;
        Operator = target;
        Client = nsp.Proxy((ev, args) => target.Emit(ev, args));
    }

    /// <summary>The untyped broadcast operator underneath.</summary>
    public BroadcastOperator Operator { get; }

    /// <summary>Emits to the targeted sockets.</summary>
    public TClient Client { get; }

    /// <summary>The same broadcast, marked volatile.</summary>
    public ContractBroadcast<TClient> Volatile => new(_namespace, Operator.Volatile);

    /// <summary>Also targets the sockets in <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast.</returns>
    public ContractBroadcast<TClient> To(params string[] rooms) => new(_namespace, Operator.To(rooms));

    /// <summary>Leaves out the sockets in <paramref name="rooms"/>.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>A new broadcast.</returns>
    public ContractBroadcast<TClient> Except(params string[] rooms) => new(_namespace, Operator.Except(rooms));
}
