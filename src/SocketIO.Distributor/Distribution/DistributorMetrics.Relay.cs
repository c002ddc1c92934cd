using System.Diagnostics.Metrics;

namespace SocketIO.Distributor.Distribution;

/// <summary>Counters of the session relay (requests for sessions another distributor holds), tagged <c>siod.instance</c>.</summary>
internal static partial class DistributorMetrics
{
    public static readonly Counter<long> RelayedOut =
        Meter.CreateCounter<long>("siod.distributor.relayed_out", description: "Polling requests and WebSockets relayed to the distributor that holds their session");

    public static readonly Counter<long> RelayedIn =
        Meter.CreateCounter<long>("siod.distributor.relayed_in", description: "Relayed polling requests and WebSockets served for another distributor");

    public static readonly Counter<long> RelayRefused =
        Meter.CreateCounter<long>("siod.distributor.relay_refused", description: "Relayed requests refused with 503: too many in flight");

    public static readonly Counter<long> RelayTimedOut =
        Meter.CreateCounter<long>("siod.distributor.relay_timed_out", description: "Relayed requests with no answer within RelayTimeout");

    public static readonly Counter<long> RelayOwnerLost =
        Meter.CreateCounter<long>("siod.distributor.relay_owner_lost", description: "Relayed requests and tunnels ended because the session's distributor died");
}
