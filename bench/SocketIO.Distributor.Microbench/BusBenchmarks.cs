using System.Text;
using BenchmarkDotNet.Attributes;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Microbench;

/// <summary>The Redis wire contract: the two messages on the hot paths (client event in, broadcast out).</summary>
[MemoryDiagnoser]
public class BusBenchmarks
{
    private Broadcast _broadcast = null!;
    private ClientPacket _clientPacket = null!;
    private byte[] _broadcastBytes = [];
    private byte[] _clientPacketBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var json = Encoding.UTF8.GetBytes("[\"tick\",\"" + new string('x', 64) + "\"]");
        var frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/bench", -1, 0, json);
        _broadcast = new Broadcast("/bench", ["room-1"], [], EmitFlags.None, "backend-1", 42, [frame]);
        _broadcastBytes = _broadcast.Encode();
        _clientPacket = new ClientPacket("dist1234.socket-abcdef", Encoding.UTF8.GetBytes("42/bench,17[\"echo\",\"" + new string('x', 64) + "\"]"), []);
        _clientPacketBytes = _clientPacket.Encode();
    }

    [Benchmark(Description = "Broadcast.Encode (1 room, 1 frame)")]
    public byte[] BroadcastEncode() => _broadcast.Encode();

    [Benchmark(Description = "BusMessage.Decode (Broadcast)")]
    public IBusMessage BroadcastDecode() => BusMessage.Decode(_broadcastBytes);

    [Benchmark(Description = "ClientPacket.Encode (64 B event)")]
    public byte[] ClientPacketEncode() => _clientPacket.Encode();

    [Benchmark(Description = "BusMessage.Decode (ClientPacket)")]
    public IBusMessage ClientPacketDecode() => BusMessage.Decode(_clientPacketBytes);
}
