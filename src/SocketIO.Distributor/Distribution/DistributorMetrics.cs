using System.Diagnostics.Metrics;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Distributor counters, on the <c>SocketIO.Distributor</c> meter, tagged by namespace (process-wide:
/// the per-instance figures are <see cref="SocketIODistributor.Statistics"/> and the Engine.IO server's
/// <c>Metrics</c>, which the periodic stats line reports).
/// </summary>
internal static class DistributorMetrics
{
    private static readonly Meter Meter = new("SocketIO.Distributor");

    public static readonly UpDownCounter<long> Sockets =
        Meter.CreateUpDownCounter<long>("siod.distributor.sockets", description: "Connected sockets, tagged by namespace");

    public static readonly Counter<long> PacketsFromClients =
        Meter.CreateCounter<long>("siod.distributor.packets_in", description: "Events and acks relayed from clients to backends");

    public static readonly Counter<long> BytesFromClients =
        Meter.CreateCounter<long>("siod.distributor.bytes_in", unit: "By");

    public static readonly Counter<long> FramesToClients =
        Meter.CreateCounter<long>("siod.distributor.frames_out", description: "Frames written to clients");

    public static readonly Counter<long> BytesToClients =
        Meter.CreateCounter<long>("siod.distributor.bytes_out", unit: "By");

    public static readonly Counter<long> VolatileDropped =
        Meter.CreateCounter<long>("siod.distributor.volatile_dropped", description: "Volatile emits dropped for a busy client");

    public static readonly Counter<long> RelayErrors =
        Meter.CreateCounter<long>("siod.distributor.relay_errors", description: "Bus messages that could not be decoded or routed");

    public static readonly Counter<long> MessagesLost =
        Meter.CreateCounter<long>("siod.distributor.messages_lost", description: "Messages from backends that never arrived (gaps in channel sequence numbers)");

    public static readonly Counter<long> ConnectsRefused =
        Meter.CreateCounter<long>("siod.distributor.connects_refused", description: "CONNECTs refused (middleware, backend, no backend, timeout)");

    public static void CountOut(EngineFrame[] frames)
    {
        long bytes = 0;
        foreach (var frame in frames)
        {
            bytes += frame.Length;
        }

        FramesToClients.Add(frames.Length);
        BytesToClients.Add(bytes);
    }

    public static void CountIn(int bytes)
    {
        PacketsFromClients.Add(1);
        BytesFromClients.Add(bytes);
    }
}
