namespace SocketIO.Distributor.EndToEnd.Tests.RedisCluster;

/// <summary>Waiting on asynchronous conditions (admin commands on the cluster) with a timeout.</summary>
internal static class RedisClusterWait
{
    public static Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null) =>
        Testing.Resp.RedisCluster.UntilAsync(condition, because, timeout ?? Testing.Eventually.DefaultTimeout);
}
