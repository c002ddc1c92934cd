using System.Globalization;
using System.Text;
using Figure = SocketIO.Distributor.LoadGen.ResultSet.Figure;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// The "Recovery on beside off" section of RESULTS.md (issue 11): the <c>recovery</c> scenario's echo and
/// fan-out rows of <c>ours-recovery-on</c> and <c>ours-recovery-off</c>, and on ÷ off divided within each
/// run (the two measurements of a run are made back to back), as median (min–max) over the runs.
/// </summary>
internal static class RecoveryTable
{
    private const string On = "ours-recovery-on";
    private const string Off = "ours-recovery-off";

    private static readonly (string Label, string Scenario, string Variant, string Key, string Target)[] Lines =
    [
        ("echo: requests/s", "echo", string.Empty, "requests_per_s", "–"),
        ("echo: server CPU µs/request", "echo", string.Empty, "server_cpu_us_per_req", "–"),
        ("echo: p99 latency (ms)", "echo", string.Empty, "p99_ms", "–"),
        ("fan-out (fanout-many's first step: 1,000 clients, 20 broadcasts/s): server CPU µs/delivery", "fanout", "many-all", "first_server_cpu_us_per_delivery", "≤ 1.5×"),
        ("fan-out (fanout-many's first step): p99 latency (ms)", "fanout", "many-all", "first_p99_ms", "–"),
    ];

    public static void Write(StringBuilder md, ResultSet set)
    {
        if (!set.Generators.Any(g => set.Find(g, On, "echo") is not null || set.Find(g, On, "fanout", "many-all") is not null))
        {
            return;
        }

        md.AppendLine("## Connection state recovery: on beside off (ours)");
        md.AppendLine();
        md.AppendLine("The `recovery` scenario: the same two distributors and one backend, the backend started with `--recovery on` (offsets in every event, the replay log written on every broadcast) or `--recovery off`, back to back in each run (the order alternating); echo as in the echo scenario, fan-out as the first step of `fanout-many`. The ratio is on ÷ off within each run, median (min–max) over the runs.");
        md.AppendLine();
        md.AppendLine("| metric | generator | recovery off | recovery on | on ÷ off | target |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var generator in set.Generators)
        {
            foreach (var (label, scenario, variant, key, target) in Lines)
            {
                var off = set.Find(generator, Off, scenario, variant);
                var on = set.Find(generator, On, scenario, variant);
                if (off is null && on is null)
                {
                    continue;
                }

                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {label} | {generator} | {off?[key] ?? Figure.None} | {on?[key] ?? Figure.None} | {RatioPerRun(off, on, key)} | {target} |");
            }
        }

        md.AppendLine();
    }

    private static string RatioPerRun(ResultSet.Aggregate? off, ResultSet.Aggregate? on, string key)
    {
        if (off is null || on is null)
        {
            return "–";
        }

        var ratios = on.Runs
            .Select(r => (r.Run, Value: r.Values.GetValueOrDefault(key, double.NaN)))
            .Join(off.Runs.Select(r => (r.Run, Value: r.Values.GetValueOrDefault(key, double.NaN))), a => a.Run, b => b.Run, (a, b) => a.Value / b.Value)
            .Where(v => !double.IsNaN(v) && !double.IsInfinity(v))
            .Order()
            .ToArray();
        if (ratios.Length == 0)
        {
            return "–";
        }

        var median = ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
        var figure = new Figure(median, ratios[0], ratios[^1], ratios.Length);
        return figure.Runs > 1 && Figure.Format(figure.Min) != Figure.Format(figure.Max)
            ? string.Create(CultureInfo.InvariantCulture, $"{median:0.00}× ({ratios[0]:0.00}–{ratios[^1]:0.00})")
            : string.Create(CultureInfo.InvariantCulture, $"{median:0.00}×");
    }
}
