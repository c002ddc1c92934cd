using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The counters of one Engine.IO server: instruments on the <c>SocketIO.Distributor</c> meter (created
/// through <see cref="IMeterFactory"/> when the host has one), each measurement tagged with the server's
/// instance name, plus running totals that this instance alone reports (two servers in one process,
/// as in the demo, never mix their numbers).
/// </summary>
public sealed class EngineMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SocketIO.Distributor";

    /// <summary>The tag that names the instance (a distributor's id) on every measurement.</summary>
    public const string InstanceTag = "siod.instance";

    private readonly UpDownCounter<long> _openSessions;
    private readonly Counter<long> _slowClientsDropped;
    private readonly Counter<long> _packetsIn;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _framesOut;
    private readonly Counter<long> _bytesOut;
    private readonly Counter<long> _protocolErrors;
    private long _totalPacketsIn;
    private long _totalFramesOut;
    private long _totalBytesOut;
    private long _totalSlowClients;
    private long _totalProtocolErrors;
    private KeyValuePair<string, object?> _tag = new(InstanceTag, "engine");

    internal EngineMetrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _openSessions = meter.CreateUpDownCounter<long>("siod.engine.sessions", description: "Open Engine.IO sessions");
        _slowClientsDropped = meter.CreateCounter<long>("siod.engine.slow_clients_dropped", description: "Clients disconnected as too slow (outbound queue full, or no frame taken for MaxWriteStall)");
        _packetsIn = meter.CreateCounter<long>("siod.engine.packets_in", description: "Engine.IO packets received from clients");
        _bytesIn = meter.CreateCounter<long>("siod.engine.bytes_in", unit: "By", description: "Bytes of Engine.IO packets received from clients");
        _framesOut = meter.CreateCounter<long>("siod.engine.frames_out", description: "Frames queued to clients");
        _bytesOut = meter.CreateCounter<long>("siod.engine.bytes_out", unit: "By", description: "Bytes of frames queued to clients");
        _protocolErrors = meter.CreateCounter<long>("siod.engine.protocol_errors", description: "Sessions closed for malformed input");
    }

    /// <summary>The instance name put on every measurement (a distributor sets its id). Default <c>engine</c>.</summary>
    public string Instance
    {
        get => (string)_tag.Value!;
        set => _tag = new(InstanceTag, value);
    }

    /// <summary>Engine.IO packets received from clients by this server.</summary>
    public long PacketsReceived => Interlocked.Read(ref _totalPacketsIn);

    /// <summary>Frames queued to this server's clients.</summary>
    public long FramesSent => Interlocked.Read(ref _totalFramesOut);

    /// <summary>Bytes of the frames queued to this server's clients.</summary>
    public long BytesSent => Interlocked.Read(ref _totalBytesOut);

    /// <summary>Clients this server disconnected as too slow.</summary>
    public long SlowClientsDropped => Interlocked.Read(ref _totalSlowClients);

    /// <summary>Sessions this server closed for malformed input.</summary>
    public long ProtocolErrors => Interlocked.Read(ref _totalProtocolErrors);

    internal void SessionOpened() => _openSessions.Add(1, _tag);

    internal void SessionRemoved() => _openSessions.Add(-1, _tag);

    internal void PacketsIn(int packets, long bytes)
    {
        _packetsIn.Add(packets, _tag);
        _bytesIn.Add(bytes, _tag);
        Interlocked.Add(ref _totalPacketsIn, packets);
    }

    internal void FramesOut(int frames, long bytes)
    {
        if (_framesOut.Enabled)
        {
            _framesOut.Add(frames, _tag);
            _bytesOut.Add(bytes, _tag);
        }

        Interlocked.Add(ref _totalFramesOut, frames);
        Interlocked.Add(ref _totalBytesOut, bytes);
    }

    internal void SlowClient()
    {
        _slowClientsDropped.Add(1, _tag);
        Interlocked.Increment(ref _totalSlowClients);
    }

    internal void ProtocolError()
    {
        _protocolErrors.Add(1, _tag);
        Interlocked.Increment(ref _totalProtocolErrors);
    }
}
