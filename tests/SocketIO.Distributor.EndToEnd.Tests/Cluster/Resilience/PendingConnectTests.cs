using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>A CONNECT waiting on a backend that dies is not left to time out.</summary>
public sealed class PendingConnectTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_connect_waiting_on_a_backend_that_leaves_is_refused_at_once_instead_of_timing_out(string version)
    {
        await using var cluster = TestCluster.Create("pending");
        var distributor = await cluster.StartDistributorAsync(["/slow"], o => o.BackendConnectTimeout = TimeSpan.FromSeconds(30));
        var middlewareReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        var backend = await cluster.StartBackendAsync(b => b.Of("/slow").Use(async (_, _) =>
        {
            middlewareReached.TrySetResult();
            await never.Task;
        }));
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        var connecting = clients.TryConnectAsync("a", distributor.Url, "/slow", timeout: TimeSpan.FromSeconds(20));
        await middlewareReached.Task.WithTimeout("the backend's middleware to receive the CONNECT");
        await backend.StopAsync();

        var error = await connecting;
        Assert.NotNull(error);
        Assert.Contains("No backend is serving namespace /slow", error, StringComparison.Ordinal);
        never.TrySetResult();
    }

    [Fact]
    public async Task A_connect_waiting_on_a_backend_that_leaves_moves_to_another_backend()
    {
        await using var cluster = TestCluster.Create("pending2");
        var distributor = await cluster.StartDistributorAsync(["/slow"], o => o.BackendConnectTimeout = TimeSpan.FromSeconds(30));
        var middlewareReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        var first = await cluster.StartBackendAsync(b => b.Of("/slow").Use(async (_, _) =>
        {
            middlewareReached.TrySetResult();
            await never.Task;
        }));
        await cluster.WaitForBackendsAsync(distributor, 1);
        await using var clients = await NodeClientDriver.StartAsync("v4", output);
        var connecting = clients.TryConnectAsync("a", distributor.Url, "/slow", timeout: TimeSpan.FromSeconds(20));
        await middlewareReached.Task.WithTimeout("the first backend's middleware to receive the CONNECT");

        var second = await cluster.StartBackendAsync(b => b.Of("/slow").OnConnection(s => s.Emit("served-by", "second")));
        await cluster.WaitForBackendsAsync(distributor, 2);
        await first.StopAsync();

        Assert.Null(await connecting);
        var served = await clients.WaitForEventAsync("a", "served-by");
        Assert.Equal("second", served.String(0));
        never.TrySetResult();
    }
}
