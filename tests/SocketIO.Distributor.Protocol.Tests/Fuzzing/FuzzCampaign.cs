namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>
/// Runs one decoder over a fixed number of generated inputs. Any exception escaping the check fails
/// the test with the seed, the iteration and the input in hex, so the case can be replayed. The
/// check answers whether the decoder accepted the input, so a test can prove the mutations still
/// reach the success path (where the round-trip properties are asserted).
/// </summary>
internal static class FuzzCampaign
{
    /// <summary>Feeds <paramref name="count"/> inputs from <paramref name="seed"/> to <paramref name="check"/>.</summary>
    /// <returns>How many inputs the decoder accepted.</returns>
    public static int Run(int seed, int count, IReadOnlyList<byte[]> samples, Func<byte[], bool> check)
    {
        var accepted = 0;
        var mutator = new WireMutator(seed, samples);
        for (var iteration = 0; iteration < count; iteration++)
        {
            var input = mutator.Next();
            try
            {
                accepted += check(input) ? 1 : 0;
            }
            catch (Exception ex) when (ex is not FuzzFailureException)
            {
                throw new FuzzFailureException(seed, iteration, input, ex);
            }
        }

        return accepted;
    }
}
