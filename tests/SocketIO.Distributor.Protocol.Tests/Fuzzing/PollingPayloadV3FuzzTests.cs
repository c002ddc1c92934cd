using System.Buffers;
using SocketIO.Distributor.Protocol.EngineIO;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>Malformed EIO3 polling bodies, text or binary, yield a <see cref="DecodeError"/>, never an exception.</summary>
public sealed class PollingPayloadV3FuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 150_000;

    [Theory]
    [InlineData(false, 4301)]
    [InlineData(true, 4302)]
    public void Decode_returns_an_error_or_packets_that_survive_a_round_trip(bool isBinaryPayload, int seed)
    {
        var samples = isBinaryPayload ? WireSamples.PollingV3BinaryPayloads : WireSamples.PollingV3TextPayloads;
        var packets = new List<EnginePacket>();
        var again = new List<EnginePacket>();
        var accepted = FuzzCampaign.Run(seed, Inputs, samples, input =>
        {
            packets.Clear();
            var error = PollingPayloadV3.Decode(input, isBinaryPayload, packets);
            Assert.True(Enum.IsDefined(error));

            // The encoder writes every binary frame as a message, so only those payloads round-trip.
            if (error != DecodeError.None || packets.Any(p => p.IsBinary && p.Type != EnginePacketType.Message))
            {
                return false;
            }

            Assert.NotEmpty(packets);
            foreach (var supportsBinary in (bool[])[false, true])
            {
                var body = new ArrayBufferWriter<byte>();
                var wroteBinary = PollingPayloadV3.Encode(body, EngineFrames.From(packets), supportsBinary);
                again.Clear();
                Assert.Equal(DecodeError.None, PollingPayloadV3.Decode(body.WrittenMemory, wroteBinary, again));
                EngineFrames.AssertSame(packets, again);
            }

            return true;
        });
        output.WriteLine($"accepted {accepted}");
        Assert.True(accepted >= Inputs / 200, $"only {accepted} inputs reached the success path");
    }
}
