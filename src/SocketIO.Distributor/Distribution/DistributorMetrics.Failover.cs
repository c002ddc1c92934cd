using System.Diagnostics.Metrics;

namespace SocketIO.Distributor.Distribution;

/// <summary>Failover counters (see <see cref="DistributorStatistics"/> for their meaning).</summary>
internal static partial class DistributorMetrics
{
    public static readonly Counter<long> BackendsUnreachable =
        Meter.CreateCounter<long>("siod.distributor.backends_unreachable", description: "Publishes to a backend inbox that reached nobody (backend treated as dead)");

    public static readonly Counter<long> PacketsResent =
        Meter.CreateCounter<long>("siod.distributor.packets_resent", description: "Client packets re-sent to a new backend after the old one did not receive them");

    public static readonly Counter<long> AcksFailed =
        Meter.CreateCounter<long>("siod.distributor.acks_failed", description: "Client events answered with a BACKEND_LOST error ack");

    public static readonly Counter<long> AcksUntracked =
        Meter.CreateCounter<long>("siod.distributor.acks_untracked", description: "Client events no longer held against a backend loss (beyond MaxPendingAcks per socket)");

    public static readonly Counter<long> EventsPossiblyLost =
        Meter.CreateCounter<long>("siod.distributor.events_possibly_lost", description: "Client events without ack a lost backend received but never reported handled");
}
