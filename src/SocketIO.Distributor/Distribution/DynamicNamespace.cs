using SocketIO.Distributor.Bus;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// A namespace this distributor created for a CONNECT because a backend declares a matching pattern (or decides names
/// with a function): the relay, its channel's subscription, and how many CONNECTs are on their way. It is retired again
/// when a CONNECT is refused and it holds no socket and no other CONNECT, so that refused names (a client trying names
/// at random against a function backend) do not pile up.
/// </summary>
internal sealed class DynamicNamespace(SocketIODistributor distributor, RelayNamespace relay, Task<BusSubscription> subscription) : INamespaceHandler
{
    private static readonly ConnectDecision Retired = ConnectDecision.Reject("Invalid namespace");

    /// <summary>The CONNECTs on their way; <see cref="int.MinValue"/> once retired (then every CONNECT is refused).</summary>
    private int _connecting;

    public RelayNamespace Relay { get; } = relay;

    public Task<BusSubscription> Subscription { get; } = subscription;

    public async ValueTask<ConnectDecision> OnConnectAsync(ClientSocket socket, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _connecting) < 0)
        {
            return Retired;
        }

        ConnectDecision decision;
        try
        {
            // The channel must be subscribed before a backend's answer (and its broadcasts) can follow.
            await Subscription.WaitAsync(cancellationToken);
            decision = await Relay.OnConnectAsync(socket, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _connecting);
        }

        if (!decision.IsAccepted && Relay.SocketCount == 0)
        {
            distributor.TryRetire(this);
        }

        return decision;
    }

    public void OnConnected(ClientSocket socket) => Relay.OnConnected(socket);

    public void OnMessage(ClientSocket socket, InboundMessage message) => Relay.OnMessage(socket, message);

    public void OnDisconnect(ClientSocket socket, string reason) => Relay.OnDisconnect(socket, reason);

    /// <summary>Marks it retired if no CONNECT is on its way; true if it was.</summary>
    public bool TryMarkRetired() => Interlocked.CompareExchange(ref _connecting, int.MinValue, 0) == 0;
}
