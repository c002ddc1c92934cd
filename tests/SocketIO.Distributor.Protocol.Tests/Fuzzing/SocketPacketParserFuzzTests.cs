using System.Buffers;
using System.Text.Json;
using SocketIO.Distributor.Protocol.SocketIO;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>Malformed Socket.IO packets yield a <see cref="DecodeError"/>, never an exception.</summary>
public sealed class SocketPacketParserFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 250_000;

    [Fact]
    public void Parse_returns_an_error_or_a_packet_that_slices_the_input_and_re_encodes()
    {
        var accepted = FuzzCampaign.Run(seed: 4401, Inputs, WireSamples.SocketPackets, input =>
        {
            var error = SocketPacketParser.Parse(input, out var packet);
            Assert.True(Enum.IsDefined(error));
            if (error != DecodeError.None)
            {
                return false;
            }

            Assert.True(Enum.IsDefined(packet.Type));
            Assert.True(InputSlice.IsSuffix(packet.Data, input));
            Assert.True(packet.Namespace.Equals(SocketPacket.RootNamespace) || InputSlice.IsWithin(packet.Namespace, input));
            Assert.Equal((byte)'/', packet.Namespace.Span[0]);
            Assert.True(packet.Attachments == 0 || packet.IsBinaryType);
            AssertEventSplits(packet);
            AssertReEncodes(packet);

            return true;
        });
        output.WriteLine($"accepted {accepted}");
        Assert.True(accepted >= Inputs / 20, $"only {accepted} inputs reached the success path");
    }

    /// <summary>A valid EVENT always splits into a name and a JSON array of arguments, and builds back.</summary>
    private static void AssertEventSplits(SocketPacket packet)
    {
        if (packet.Type is not (SocketPacketType.Event or SocketPacketType.BinaryEvent))
        {
            return;
        }

        Assert.True(EventPayload.TrySplit(packet.Data, out var name, out var arguments));
        using (var document = JsonDocument.Parse(arguments))
        {
            Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        }

        // Rebuilding the event from its parts gives valid JSON with the same name.
        var rebuilt = EventPayload.Build(name, arguments.Span);
        using (var document = JsonDocument.Parse(rebuilt))
        {
            Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        }

        Assert.True(EventPayload.TrySplit(rebuilt, out var rebuiltName, out _));
        Assert.Equal(name, rebuiltName);
    }

    private static void AssertReEncodes(SocketPacket packet)
    {
        var text = new ArrayBufferWriter<byte>();
        SocketPacketWriter.Write(text, packet.Type, packet.NamespaceName, packet.AckId, packet.Attachments, packet.Data.Span);
        Assert.Equal(DecodeError.None, SocketPacketParser.Parse(text.WrittenMemory, out var again));
        Assert.Equal(packet.Type, again.Type);
        Assert.Equal(packet.AckId, again.AckId);
        Assert.Equal(packet.Attachments, again.Attachments);
        Assert.True(packet.Namespace.Span.SequenceEqual(again.Namespace.Span), "namespace differs");
        Assert.True(packet.Data.Span.SequenceEqual(again.Data.Span), "data differs");
    }
}
