using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>Turns decoded packets back into frames, and compares packet lists, for round-trip checks.</summary>
internal static class EngineFrames
{
    /// <summary>The frame that carries <paramref name="packet"/> again.</summary>
    public static EngineFrame From(EnginePacket packet) =>
        packet.IsBinary ? EngineFrame.Binary(packet.Data) : EngineFrame.Text(packet.Type, packet.Data.Span);

    /// <summary>The frames of all <paramref name="packets"/>, in order.</summary>
    public static List<EngineFrame> From(IEnumerable<EnginePacket> packets) => [.. packets.Select(From)];

    /// <summary>Fails unless both lists hold the same packets (type, binary flag and data bytes).</summary>
    public static void AssertSame(IReadOnlyList<EnginePacket> expected, IReadOnlyList<EnginePacket> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Type, actual[i].Type);
            Assert.Equal(expected[i].IsBinary, actual[i].IsBinary);
            Assert.True(expected[i].Data.Span.SequenceEqual(actual[i].Data.Span), $"packet {i} data differs");
        }
    }
}
