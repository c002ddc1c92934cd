using System.Diagnostics.Metrics;

namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>Typed-contract instruments, on the <c>SocketIO.Distributor</c> meter.</summary>
internal static class ContractMetrics
{
    private static readonly Meter Meter = new("SocketIO.Distributor");

    /// <summary>Tagged <c>reason</c> (<c>invalid_payload</c>, <c>unknown_event</c>) and <c>namespace</c>.</summary>
    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>(
        "siod.backend.contract_refusals",
        description: "Client events refused by a typed contract: a payload that does not fit, or an event not in the contract.");
}
