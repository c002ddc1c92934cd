using SocketIO.Distributor.Protocol.SocketIO;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary><see cref="EventPayload.TrySplit"/> answers false on malformed JSON, never throws.</summary>
public sealed class EventPayloadFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 150_000;

    [Fact]
    public void TrySplit_returns_false_or_a_name_and_arguments_array()
    {
        var accepted = FuzzCampaign.Run(seed: 4501, Inputs, WireSamples.EventPayloads, input =>
        {
            if (!EventPayload.TrySplit(input, out var name, out var arguments))
            {
                return false;
            }

            Assert.NotNull(name);
            Assert.False(arguments.IsEmpty);
            Assert.Equal((byte)'[', arguments.Span[0]);

            return true;
        });
        output.WriteLine($"accepted {accepted}");
        Assert.True(accepted >= Inputs / 10, $"only {accepted} inputs reached the success path");
    }
}
