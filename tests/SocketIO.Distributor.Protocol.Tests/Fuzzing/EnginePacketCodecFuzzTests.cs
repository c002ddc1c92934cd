using SocketIO.Distributor.Protocol.EngineIO;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>Malformed single frames yield a <see cref="DecodeError"/>, never an exception.</summary>
public sealed class EnginePacketCodecFuzzTests(ITestOutputHelper output)
{
    private const int TextInputs = 150_000;
    private const int BinaryInputs = 75_000;

    [Fact]
    public void DecodeText_returns_an_error_or_a_packet_that_re_encodes_to_the_frame()
    {
        var accepted = FuzzCampaign.Run(seed: 4101, TextInputs, WireSamples.EngineTextFrames, input =>
        {
            var error = EnginePacketCodec.DecodeText(input, out var packet);
            Assert.True(Enum.IsDefined(error));
            if (error != DecodeError.None)
            {
                return false;
            }

            Assert.True(Enum.IsDefined(packet.Type));
            Assert.False(packet.IsBinary);
            Assert.True(InputSlice.IsWithin(packet.Data, input));
            Assert.Equal(input, EnginePacketCodec.EncodeText(packet.Type, packet.Data.Span));

            return true;
        });
        output.WriteLine($"accepted {accepted}");
        Assert.True(accepted >= TextInputs / 4, $"only {accepted} inputs reached the success path");
    }

    [Theory]
    [InlineData(EngineProtocolVersion.V3, 4102)]
    [InlineData(EngineProtocolVersion.V4, 4103)]
    public void DecodeBinary_returns_an_error_or_a_packet_slicing_the_frame(EngineProtocolVersion version, int seed)
    {
        var accepted = FuzzCampaign.Run(seed, BinaryInputs, WireSamples.EngineBinaryFrames, input =>
        {
            var error = EnginePacketCodec.DecodeBinary(input, version, out var packet);
            Assert.True(Enum.IsDefined(error));
            if (error != DecodeError.None)
            {
                return false;
            }

            Assert.True(Enum.IsDefined(packet.Type));
            Assert.True(packet.IsBinary);
            Assert.True(InputSlice.IsWithin(packet.Data, input));
            Assert.Equal(version == EngineProtocolVersion.V4 ? input.Length : input.Length - 1, packet.Data.Length);

            return true;
        });
        output.WriteLine($"accepted {accepted}");
        Assert.True(accepted >= BinaryInputs / 10, $"only {accepted} inputs reached the success path");
    }
}
