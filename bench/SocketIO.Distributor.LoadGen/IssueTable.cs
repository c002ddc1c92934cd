using System.Globalization;
using System.Text;
using Figure = SocketIO.Distributor.LoadGen.ResultSet.Figure;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// The table of issue 13 (rows × setups, "median (min–max)" cells) for one generator, and the issue's
/// targets checked against the C# generator's medians (and the Node generator's, when it ran).
/// </summary>
internal static class IssueTable
{
    private static readonly string[] Setups = ["socketio", "signalr", "ours"];

    /// <summary>One row: its label, where its figure comes from, a scale, and the original package's figure as quoted in the issue.</summary>
    private sealed record Line(string Label, string Scenario, string Variant, string Key, double Scale, string Original);

    private static readonly Line[] Lines =
    [
        new("echo, 200 clients × 4 in flight, 64 B: req/s", "echo", string.Empty, "requests_per_s", 1, "34.9k"),
        new("echo: server CPU µs/request, all processes", "echo", string.Empty, "server_cpu_us_per_req", 1, "41.9"),
        new("echo: context switches/request, all processes", "echo", string.Empty, "ctx_switches_per_req", 1, "–"),
        new("fan-out, 1,000 clients, 20 client-triggered broadcasts/s: CPU µs/delivery", "fanout", "many-all", "first_server_cpu_us_per_delivery", 1, "16.3"),
        new("fan-out knee, 1,000 clients, rate doubling from 20/s (loss or p99 > 100 ms): deliveries/s", "fanout", "many-all", "deliveries_per_s", 1, "–"),
        new("fan-out knee, 200 clients (few clients at high rates), everyone: deliveries/s", "fanout", "few-all", "deliveries_per_s", 1, "–"),
        new("idle: KB per WebSocket connection, all processes (10,000)", "connections", string.Empty, "rss_bytes_per_conn", 1 / 1024.0, "16.7 (at 5,000)"),
        new("light load, 1 client × 1 in flight: server CPU µs/request", "light", "1x1", "server_cpu_us_per_req", 1, "–"),
        new("light load, 1 × 1: p50 latency, ms", "light", "1x1", "p50_ms", 1, "–"),
        new("light load, 1 × 1: p99 latency, ms", "light", "1x1", "p99_ms", 1, "–"),
        new("light load, 1 × 1: context switches/request", "light", "1x1", "ctx_switches_per_req", 1, "–"),
        new("light load, 10 clients × 10 req/s: server CPU µs/request", "light", "10x10/s", "server_cpu_us_per_req", 1, "–"),
        new("light load, 10 × 10/s: p50 / p99 latency, ms", "light", "10x10/s", "p50_ms|p99_ms", 1, "–"),
        new("light load, 10 × 10/s: context switches/request", "light", "10x10/s", "ctx_switches_per_req", 1, "–"),
        new("idle process, no clients: busiest process, % of a core (10–30 s after start)", "idle", string.Empty, "max_process_core_percent", 1, "~2"),
        new("idle process, no clients: busiest process, % of a core (3 min after start)", "idle", "steady", "max_process_core_percent", 1, "–"),
    ];

    public static void Write(StringBuilder md, ResultSet set, string generator)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"## The table ({Report.GeneratorName(generator)} generator)");
        md.AppendLine();
        md.AppendLine("| | original (Node), quoted | socket.io 4 + redis-adapter | SignalR + Redis | ours |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var line in Lines)
        {
            var cells = Setups.Select(setup => Cell(set, generator, setup, line));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {line.Label} | {line.Original} | {string.Join(" | ", cells)} |");
        }

        if (set.Find(generator, "ours", "connections") is { } memory)
        {
            var parts = memory.Keys.Where(k => k.StartsWith("rss_bytes_per_conn.", StringComparison.Ordinal))
                .Select(k => $"{k["rss_bytes_per_conn.".Length..]} {memory[k].Scale(1 / 1024.0)}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Ours, idle KB per connection by process (each divided by all connections): {string.Join(", ", parts)}.");
        }

        md.AppendLine();
        md.AppendLine("A fan-out knee marked ≥ is a lower bound: the last step passed.");
        md.AppendLine();
    }

    private static string Cell(ResultSet set, string generator, string setup, Line line)
    {
        if (set.Find(generator, setup, line.Scenario, line.Variant) is not { } found)
        {
            return "–";
        }

        if (line.Key.Contains('|', StringComparison.Ordinal))
        {
            return string.Join(" / ", line.Key.Split('|').Select(k => found[k].Scale(line.Scale).ToString()));
        }

        var figure = found[line.Key].Scale(line.Scale);
        var lowerBound = line.Scenario == "fanout" && line.Key == "deliveries_per_s" && found["reached_max_step"].Median >= 1 ? "≥ " : string.Empty;
        return lowerBound + figure;
    }

    /// <summary>The issue's targets, per generator that ran.</summary>
    public static void Targets(StringBuilder md, ResultSet set)
    {
        md.AppendLine("## Targets (issue 13; medians of the interleaved runs)");
        md.AppendLine();
        md.AppendLine("| target | generator | measured | met? |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var g in set.Generators)
        {
            Figure F(string setup, string scenario, string variant, string key) => set.Find(g, setup, scenario, variant)?[key] ?? Figure.None;
            void Row(string target, string measured, bool? met) =>
                md.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {g} | {measured} | {(met is null ? "–" : met.Value ? "**met**" : "**not met**")} |");
            bool? Check(Figure a, Figure b, Func<double, double, bool> ok) => a.Exists && b.Exists ? ok(a.Median, b.Median) : null;

            var echoCpu = F("ours", "echo", string.Empty, "server_cpu_us_per_req");
            var echoCpuPeer = F("socketio", "echo", string.Empty, "server_cpu_us_per_req");
            Row("echo: server CPU per request ≤ socket.io's", $"{echoCpu} µs vs {echoCpuPeer} µs", Check(echoCpu, echoCpuPeer, (a, b) => a <= b));
            var echoRate = F("ours", "echo", string.Empty, "requests_per_s");
            Row("echo: run-to-run range within ±15 % (req/s)", echoRate.Exists ? $"±{echoRate.Spread * 100:0} % ({echoRate.Runs} runs)" : "–", echoRate.Runs > 1 ? echoRate.Spread <= 0.15 : null);
            var manyCpu = F("ours", "fanout", "many-all", "first_server_cpu_us_per_delivery");
            var manyCpuPeer = F("socketio", "fanout", "many-all", "first_server_cpu_us_per_delivery");
            Row("fan-out 1,000 clients at 20/s: CPU per delivery ≤ 0.8 × socket.io's", $"{manyCpu} µs vs {manyCpuPeer} µs", Check(manyCpu, manyCpuPeer, (a, b) => a <= 0.8 * b));
            // Knees compare as steps of the doubling schedule (nominal rates); the measured rates are shown beside them.
            void Knee(string target, string variant, double factor)
            {
                var ours = F("ours", "fanout", variant, "knee_nominal_deliveries_per_s");
                var peer = F("socketio", "fanout", variant, "knee_nominal_deliveries_per_s");
                var measured = $"{F("ours", "fanout", variant, "deliveries_per_s")} vs {F("socketio", "fanout", variant, "deliveries_per_s")}";
                Row(target, $"step {ours} vs {peer} deliveries/s (measured {measured})", Check(ours, peer, (a, b) => a >= factor * b));
            }

            Knee("fan-out 1,000 clients: knee ≥ 2 × socket.io's", "many-all", 2);
            Knee("fan-out 200 clients at high rates: knee ≥ 4 × socket.io's", "few-all", 4);
            var idleKb = F("ours", "connections", string.Empty, "rss_bytes_per_conn").Scale(1 / 1024.0);
            Row("idle: ≤ 10 KB per connection, all processes", $"{idleKb} KB", idleKb.Exists ? idleKb.Median <= 10 : null);
            var lightCpu = F("ours", "light", "1x1", "server_cpu_us_per_req");
            var lightCpuPeer = F("socketio", "light", "1x1", "server_cpu_us_per_req");
            Row("light 1 × 1: server CPU per request ≤ 2 × socket.io's", $"{lightCpu} µs vs {lightCpuPeer} µs", Check(lightCpu, lightCpuPeer, (a, b) => a <= 2 * b));
            var p50 = F("ours", "light", "1x1", "p50_ms");
            Row("light 1 × 1: p50 ≤ 0.3 ms", $"{p50} ms", p50.Exists ? p50.Median <= 0.3 : null);
            // Judged once the JIT has tiered up (3 min after start, as a server runs most of its life); the first minute beside it.
            var idle = F("ours", "idle", string.Empty, "max_process_core_percent");
            var steady = F("ours", "idle", "steady", "max_process_core_percent");
            Row("a process with no clients < 0.5 % of a core (3 min after start; 10–30 s after start beside it)", $"{steady} % ({idle} % in its first minute)", steady.Exists ? steady.Median < 0.5 : null);
        }

        md.AppendLine();
    }
}
