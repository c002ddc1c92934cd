using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// A test that needs a server handing one channel's messages, from several publishers, to every
/// subscriber in one order, as Redis does: skipped on the embedded Garnet, which does not (two
/// distributors see two backends' interleaved emits in different orders). CI runs it on redis-server
/// (<c>SIOD_TEST_REDIS</c>); so does <c>SIOD_TEST_REDIS=host:port dotnet test ...</c>, or <c>=cluster</c>.
/// </summary>
public sealed class OrderedPubSubFactAttribute : FactAttribute
{
    /// <summary>Skips the test when the tests run on the embedded Garnet.</summary>
    public OrderedPubSubFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestRedis.EnvironmentVariable)))
        {
            Skip = $"Garnet does not order a channel's messages from several publishers alike for every subscriber: run with {TestRedis.EnvironmentVariable}=<redis-server host:port> or =cluster";
        }
    }
}
