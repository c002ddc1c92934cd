using System.Diagnostics.Metrics;

namespace SocketIO.Distributor.Bus;

/// <summary>Bus counters, on the <c>SocketIO.Distributor</c> meter.</summary>
internal static class BusMetrics
{
    private static readonly Meter Meter = new("SocketIO.Distributor");

    public static readonly Counter<long> MessagesPublished = Meter.CreateCounter<long>("siod.bus.messages_published");
    public static readonly Counter<long> BytesPublished = Meter.CreateCounter<long>("siod.bus.bytes_published", unit: "By");
    public static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>("siod.bus.messages_received");
    public static readonly Counter<long> BatchesPublished = Meter.CreateCounter<long>("siod.bus.batches_published", description: "Pub/sub messages that carried several bus messages (counted in messages_published once each).");
    public static readonly Counter<long> BatchesReceived = Meter.CreateCounter<long>("siod.bus.batches_received", description: "Pub/sub messages received that carried several bus messages (split before the subscribers see them).");
    public static readonly Counter<long> PublishErrors = Meter.CreateCounter<long>("siod.bus.publish_errors");
    public static readonly Counter<long> HandlerErrors = Meter.CreateCounter<long>("siod.bus.handler_errors");
    public static readonly Counter<long> ConnectionLosses = Meter.CreateCounter<long>("siod.bus.connection_losses");
    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("siod.bus.reconnects");
    public static readonly Counter<long> OutageHeld = Meter.CreateCounter<long>("siod.bus.outage_held", description: "Messages held during a Redis outage and published after it.");
    public static readonly Counter<long> OutageDropped = Meter.CreateCounter<long>("siod.bus.outage_dropped", description: "Messages dropped during a Redis outage because the outage buffer was full.");
}
