using System.Buffers;
using SocketIO.Distributor.Protocol.EngineIO;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>Malformed EIO4 polling bodies yield a <see cref="DecodeError"/>, never an exception.</summary>
public sealed class PollingPayloadFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 200_000;

    [Fact]
    public void Decode_returns_an_error_or_packets_that_survive_a_round_trip()
    {
        var packets = new List<EnginePacket>();
        var again = new List<EnginePacket>();
        var accepted = FuzzCampaign.Run(seed: 4201, Inputs, WireSamples.PollingV4Payloads, input =>
        {
            packets.Clear();
            var error = PollingPayload.Decode(input, packets);
            Assert.True(Enum.IsDefined(error));
            if (error != DecodeError.None)
            {
                return false;
            }

            Assert.NotEmpty(packets);
            foreach (var packet in packets.Where(p => !p.IsBinary))
            {
                Assert.True(InputSlice.IsWithin(packet.Data, input));
            }

            var body = new ArrayBufferWriter<byte>();
            PollingPayload.Encode(body, EngineFrames.From(packets));
            again.Clear();
            Assert.Equal(DecodeError.None, PollingPayload.Decode(body.WrittenMemory, again));
            EngineFrames.AssertSame(packets, again);

            return true;
        });
        output.WriteLine($"accepted {accepted}");
        Assert.True(accepted >= Inputs / 4, $"only {accepted} inputs reached the success path");
    }
}
