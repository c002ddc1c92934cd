using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>Which pub/sub the bus uses, for operators and tests.</summary>
public sealed partial class SocketIODistributor
{
    /// <summary>The bus's pub/sub mode (<see cref="PubSubMode.Classic"/> or <see cref="PubSubMode.Sharded"/>), chosen at start.</summary>
    /// <exception cref="InvalidOperationException">The distributor is not started.</exception>
    public PubSubMode PubSubMode => Bus.Mode;
}
