using Xunit.Sdk;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>A decoder threw, or broke a property, on a generated input.</summary>
internal sealed class FuzzFailureException(int seed, int iteration, byte[] input, Exception inner)
    : XunitException(Describe(seed, iteration, input, inner), inner)
{
    private const int MaxReportedBytes = 512;

    private static string Describe(int seed, int iteration, byte[] input, Exception inner)
    {
        var shown = input.AsSpan(0, Math.Min(input.Length, MaxReportedBytes));
        return $"seed {seed}, iteration {iteration}, {input.Length} bytes: {Convert.ToHexString(shown)}"
            + $"{Environment.NewLine}{inner.GetType().Name}: {inner.Message}";
    }
}
