using SocketIO.Distributor.Backend.Contracts;

namespace SocketIO.Distributor.Backend;

/// <summary>What the typed contracts served by this backend refused.</summary>
public sealed partial class SocketIOBackend
{
    /// <summary>Payloads and events refused by the typed contracts (<see cref="SocketIOContractAttribute"/>) of this backend's namespaces.</summary>
    public ContractStatistics ContractStatistics { get; } = new();
}
