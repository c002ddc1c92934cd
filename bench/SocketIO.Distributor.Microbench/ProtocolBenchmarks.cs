using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Microbench;

/// <summary>The Socket.IO and Engine.IO codecs on a typical 64-byte event.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private readonly ReadOnlyMemory<byte> _event = Encoding.UTF8.GetBytes("42/bench,17[\"echo\",\"" + new string('x', 64) + "\"]");
    private readonly byte[] _json = Encoding.UTF8.GetBytes("[\"tick\",\"" + new string('x', 64) + "\"]");
    private readonly ArrayBufferWriter<byte> _writer = new(64 * 1024);
    private readonly List<EnginePacket> _packets = new(64);
    private EngineFrame[] _frames = [];
    private ReadOnlyMemory<byte> _pollingBody;

    [GlobalSetup]
    public void Setup()
    {
        _frames = [.. Enumerable.Range(0, 10).Select(_ => SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/bench", -1, 0, _json))];
        var writer = new ArrayBufferWriter<byte>();
        PollingPayload.Encode(writer, _frames);
        _pollingBody = writer.WrittenMemory.ToArray();
    }

    [Benchmark(Description = "SocketPacketParser.Parse (EVENT with ack, 64 B)")]
    public DecodeError Parse() => SocketPacketParser.Parse(_event, out _);

    [Benchmark(Description = "SocketPacketWriter.EncodeFrame (EVENT, 64 B)")]
    public EngineFrame EncodeFrame() => SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/bench", -1, 0, _json);

    [Benchmark(Description = "PollingPayload.Encode (10 frames)")]
    public int PollingEncode()
    {
        _writer.ResetWrittenCount();
        PollingPayload.Encode(_writer, _frames);
        return _writer.WrittenCount;
    }

    [Benchmark(Description = "PollingPayload.Decode (10 packets)")]
    public DecodeError PollingDecode()
    {
        _packets.Clear();
        return PollingPayload.Decode(_pollingBody, _packets);
    }
}
