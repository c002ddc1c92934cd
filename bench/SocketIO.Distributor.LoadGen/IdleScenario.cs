using System.Globalization;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// Idle processes: no client at all for <c>--duration</c> seconds (after <c>--warmup</c>). Reports each
/// server process's CPU as a share of one core and its context switches per second: what timers and
/// pollers cost when there is no work. With <c>--variant steady</c> (bench/run's idle-steady, a warm-up of
/// minutes) it measures a process whose JIT has finished tiering up, as a server runs most of its life.
/// </summary>
internal static class IdleScenario
{
    public static async Task RunAsync(ScenarioContext context)
    {
        var seconds = Math.Clamp(context.Double("duration", 10), 1, 120);
        await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(context.Double("warmup", 3), 0, 600))).ConfigureAwait(false);
        var window = new MeasurementWindow(context.Sampler);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        var row = new ResultRow { Target = context.Target, Scenario = "idle", Variant = context.Get("variant", string.Empty) };

        // Per "second" of wall time: cpu_us_per_s.<process> / 1e4 is the % of a core.
        window.WriteTo(row, "s", window.Elapsed);
        var worst = row.Values.Where(kv => kv.Key.StartsWith("cpu_us_per_s.", StringComparison.Ordinal) && !kv.Key.EndsWith(".redis", StringComparison.Ordinal))
            .Select(kv => kv.Value / 1e4).DefaultIfEmpty(double.NaN).Max();
        row.Set("max_process_core_percent", worst);
        row.Append(context.ResultsPath);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  idle: busiest server process {worst:F2}% of a core; {string.Join(", ", row.Values.Where(kv => kv.Key.StartsWith("cpu_us_per_s.", StringComparison.Ordinal)).Select(kv => $"{kv.Key[13..]} {kv.Value / 1e4:F2}%"))}"));
    }
}
