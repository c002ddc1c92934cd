using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.EndToEnd.Tests.RedisCluster;

/// <summary>A 3-master Redis Cluster shared by the tests of a class that do not break it (each uses its own prefix).</summary>
public sealed class ThreeMasters : IAsyncLifetime
{
    private Testing.Resp.RedisCluster? _redis;

    /// <summary>The cluster.</summary>
    public Testing.Resp.RedisCluster Redis => _redis ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _redis = await Testing.Resp.RedisCluster.StartAsync(masters: 3);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
