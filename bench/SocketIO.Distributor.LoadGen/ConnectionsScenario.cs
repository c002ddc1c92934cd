using System.Globalization;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// N idle clients (connected to the app's namespace or hub) over the servers: connect rate, and the
/// memory each server process holds per connection (RSS and managed heap after a full GC, against
/// the same readings before connecting).
/// </summary>
internal static class ConnectionsScenario
{
    public static async Task RunAsync(ScenarioContext context)
    {
        var count = context.Int("clients", 10_000);
        var settle = context.Double("settle", 5);
        var sampler = context.Sampler;

        // A warm batch first, kept open: the baseline then includes what the first connections
        // initialize once (JIT, pools, thread pool growth), so the delta is the marginal cost.
        var (warm, _, _) = await context.ConnectAsync(context.Int("warm", Math.Min(200, Math.Max(10, count / 20))), "bench", 50, firstIndex: 1_000_000).ConfigureAwait(false);
        await Task.Delay(1000).ConfigureAwait(false);
        var heapBefore = await sampler.HeapAsync(collect: true).ConfigureAwait(false);
        await Task.Delay(500).ConfigureAwait(false);
        var rssBefore = sampler.Rss();
        var cpuBefore = sampler.CpuMicroseconds();
        var (clients, rate, failed) = await context.ConnectAsync(count, "bench", context.Int("parallel", 200)).ConfigureAwait(false);
        var connectCpu = ServerSampler.Sum(sampler.CpuMicroseconds(), cpuBefore);
        Console.WriteLine($"  connections: {clients.Count} connected at {rate:F0}/s ({failed} failed); idling {settle}s");
        await Task.Delay(TimeSpan.FromSeconds(settle)).ConfigureAwait(false);
        var idleCpuBefore = sampler.CpuMicroseconds();
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, settle / 2))).ConfigureAwait(false);
        var idleCpu = ServerSampler.Sum(sampler.CpuMicroseconds(), idleCpuBefore) / 1e6 / Math.Max(1, settle / 2);
        var heapAfter = await sampler.HeapAsync(collect: true).ConfigureAwait(false);
        await Task.Delay(500).ConfigureAwait(false);
        var rssAfter = sampler.Rss();
        var alive = clients.Count(c => c.Failure is null);

        var row = new ResultRow { Target = context.Target, Scenario = "connections" };
        row.Set("clients", clients.Count);
        row.Set("warm_clients", warm.Count);
        row.Set("alive_after_idle", alive);
        row.Set("connect_failures", failed);
        row.Set("connects_per_s", rate);
        row.Set("server_cpu_us_per_connect", clients.Count == 0 ? double.NaN : connectCpu / clients.Count);
        row.Set("idle_server_cores", idleCpu);
        double totalRss = 0;
        foreach (var (name, after) in rssAfter)
        {
            var perConnection = (after - rssBefore[name]) / (double)Math.Max(1, clients.Count);
            totalRss += perConnection;
            row.Set("rss_bytes_per_conn." + name, perConnection);
        }

        double totalHeap = 0;
        foreach (var (name, after) in heapAfter)
        {
            if (after >= 0 && heapBefore.TryGetValue(name, out var before) && before >= 0)
            {
                var perConnection = (after - before) / (double)Math.Max(1, clients.Count);
                totalHeap += perConnection;
                row.Set("heap_bytes_per_conn." + name, perConnection);
            }
        }

        row.Set("rss_bytes_per_conn", totalRss);
        row.Set("heap_bytes_per_conn", totalHeap);
        row.Append(context.ResultsPath);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  connections: {totalRss / 1024:F1} KB RSS and {totalHeap / 1024:F1} KB heap per connection over all server processes; {alive}/{clients.Count} alive; idle {idleCpu:F3} cores"));
        await ScenarioContext.CloseAllAsync([.. clients, .. warm]).ConfigureAwait(false);
    }
}
