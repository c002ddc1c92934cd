using System.Diagnostics.Metrics;

namespace SocketIO.Distributor.Backend;

/// <summary>Backend instruments, on the <c>SocketIO.Distributor</c> meter.</summary>
internal static class BackendMetrics
{
    private static readonly Meter Meter = new("SocketIO.Distributor");

    public static readonly UpDownCounter<long> Sockets = Meter.CreateUpDownCounter<long>("siod.backend.sockets", description: "Sockets connected to this backend's namespaces.");
    public static readonly Counter<long> Connects = Meter.CreateCounter<long>("siod.backend.connects", description: "Connections accepted.");
    public static readonly Counter<long> ConnectRejects = Meter.CreateCounter<long>("siod.backend.connect_rejects", description: "Connections rejected.");
    public static readonly Counter<long> EventsIn = Meter.CreateCounter<long>("siod.backend.events_in", description: "Events and acknowledgements received from clients.");
    public static readonly Counter<long> EmitsOut = Meter.CreateCounter<long>("siod.backend.emits_out", description: "Emits, acknowledgements and broadcasts published.");
    public static readonly Counter<long> HandlerErrors = Meter.CreateCounter<long>("siod.backend.handler_errors", description: "Exceptions thrown by middleware and handlers.");
    public static readonly Counter<long> PacketsLost = Meter.CreateCounter<long>("siod.backend.packets_lost", description: "Client packets that arrived for a socket this backend does not hold.");
    public static readonly Counter<long> MessagesLost = Meter.CreateCounter<long>("siod.backend.messages_lost", description: "Messages from distributors that never arrived (gaps in channel sequence numbers).");
    public static readonly Counter<long> InboxOverflows = Meter.CreateCounter<long>("siod.backend.inbox_overflows", description: "Messages dropped because the backend's inbox pipeline was full.");
    public static readonly Counter<long> DistributorsUnsubscribed = Meter.CreateCounter<long>("siod.backend.distributors_unsubscribed", description: "Distributors found dead because nobody subscribed to their inbox any more (PUBSUB NUMSUB).");
    public static readonly Counter<long> EventsDropped = Meter.CreateCounter<long>("siod.backend.events_dropped", description: "Events dropped because a socket's handler queue was full.");
}
