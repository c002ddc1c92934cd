using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>The theory form of <see cref="OrderedPubSubFactAttribute"/>: skipped on the embedded Garnet, for the same reason.</summary>
public sealed class OrderedPubSubTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips the test when the tests run on the embedded Garnet.</summary>
    public OrderedPubSubTheoryAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestRedis.EnvironmentVariable)))
        {
            Skip = new OrderedPubSubFactAttribute().Skip;
        }
    }
}
