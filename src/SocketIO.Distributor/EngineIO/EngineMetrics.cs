using System.Diagnostics.Metrics;

namespace SocketIO.Distributor.EngineIO;

/// <summary>Engine.IO counters, published on the <c>SocketIO.Distributor</c> meter.</summary>
internal static class EngineMetrics
{
    public const string MeterName = "SocketIO.Distributor";

    private static readonly Meter Meter = new(MeterName);

    public static readonly UpDownCounter<long> OpenSessions =
        Meter.CreateUpDownCounter<long>("siod.engine.sessions", description: "Open Engine.IO sessions");

    public static readonly Counter<long> SlowClientsDropped =
        Meter.CreateCounter<long>("siod.engine.slow_clients_dropped", description: "Clients disconnected because their outbound queue was full");

    public static readonly Counter<long> PacketsIn =
        Meter.CreateCounter<long>("siod.engine.packets_in", description: "Engine.IO packets received from clients");

    public static readonly Counter<long> BytesIn =
        Meter.CreateCounter<long>("siod.engine.bytes_in", unit: "By", description: "Bytes of Engine.IO packets received from clients");

    public static readonly Counter<long> ProtocolErrors =
        Meter.CreateCounter<long>("siod.engine.protocol_errors", description: "Sessions closed for malformed input");
}
