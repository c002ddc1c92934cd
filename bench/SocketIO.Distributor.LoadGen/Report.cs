using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SocketIO.Distributor.LoadGen;

/// <summary>Writes bench/RESULTS.md from the result rows of one run.</summary>
internal static class Report
{
    private static readonly string[] Peers = ["socketio", "signalr"];

    private static readonly Dictionary<string, string> TargetNames = new()
    {
        ["ours"] = "SocketIO.Distributor",
        ["socketio"] = "socket.io 4 + redis-adapter",
        ["signalr"] = "SignalR + Redis backplane",
    };

    public static void Write(Dictionary<string, string> options)
    {
        var rows = File.ReadAllLines(options["results"])
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Row>(l, ResultJson.Options)!)
            .ToList();
        var quick = options.TryGetValue("quick", out var q) && q == "1";
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks: SocketIO.Distributor beside its peers");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Written by `bench/run` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; every number below comes from that one run.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{options.GetValueOrDefault("command", "bench/run")}`");
        md.AppendLine();
        if (quick)
        {
            md.AppendLine("> **Quick mode** (`--quick`): a few seconds per scenario and small N, for smoke testing. These numbers are not measurements; run `bench/run` on an otherwise idle machine for the real table.");
            md.AppendLine();
        }

        if (options.TryGetValue("machine", out var machine) && File.Exists(machine))
        {
            md.AppendLine("## Machine");
            md.AppendLine();
            md.AppendLine("```");
            md.AppendLine(File.ReadAllText(machine).TrimEnd());
            md.AppendLine("```");
            md.AppendLine();
        }

        md.AppendLine("Every server setup is two server processes on one `redis-server` (started by the script on a free loopback port); the load generator (`bench/SocketIO.Distributor.LoadGen`, raw WebSocket clients) spreads clients round-robin over both. Ours: two distributors + one backend process. Server CPU is utime+stime from `/proc/<pid>/stat` of every server process *including redis-server*, over the measured window.");
        md.AppendLine();
        Targets(md, rows);
        Echo(md, rows);
        Fanout(md, rows);
        Connections(md, rows);
        Mixed(md, rows);
        md.AppendLine("## Profile: where our time goes");
        md.AppendLine();
        if (options.TryGetValue("profile", out var profile) && File.Exists(profile))
        {
            md.AppendLine(File.ReadAllText(profile).TrimEnd());
        }
        else
        {
            md.AppendLine("Not produced by this run (`bench/run --profile` or a full run writes it).");
        }

        md.AppendLine();
        md.AppendLine("## Fan-out steps (raw)");
        md.AppendLine();
        foreach (var row in rows.Where(r => r.Scenario == "fanout"))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {TargetNames.GetValueOrDefault(row.Target, row.Target)}, `{row.Variant}`:");
            foreach (var note in row.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"  - {note}");
            }
        }

        File.WriteAllText(options["out"], md.ToString());
    }

    private static void Targets(StringBuilder md, List<Row> rows)
    {
        md.AppendLine("## Targets (from the issue)");
        md.AppendLine();
        md.AppendLine("| target | measured | met? |");
        md.AppendLine("| --- | --- | --- |");
        var echo = Find(rows, "ours", "echo");
        var cpu = Value(echo, "server_cpu_us_per_req");
        var rps = Value(echo, "requests_per_s");
        md.AppendLine(CultureInfo.InvariantCulture, $"| echo: server CPU per request ≤ 20 µs (socket.io-distributor: ~70 µs) | {Fmt(cpu)} µs | {Met(cpu <= 20)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| echo: throughput ≥ 2.5 × 20k = 50,000 req/s | {Fmt(rps)} req/s | {Met(rps >= 50_000)} |");
        foreach (var variant in rows.Where(r => r.Scenario == "fanout" && r.Target == "ours").Select(r => r.Variant))
        {
            var ours = Find(rows, "ours", "fanout", variant);
            var bestPeer = Peers.Select(p => Find(rows, p, "fanout", variant)).Where(r => r is not null).MaxBy(r => Value(r, "deliveries_per_s"));
            var knee = Value(ours, "deliveries_per_s");
            var peerKnee = Value(bestPeer, "deliveries_per_s");
            var lowerBound = Value(ours, "reached_max_step") == 1 ? " (no knee found: a lower bound)" : string.Empty;
            var verdict = Value(bestPeer, "reached_max_step") == 1 && knee < 2 * peerKnee
                ? "**inconclusive** (the best peer found no knee either: raise --steps)"
                : Met(knee >= 2 * peerKnee && peerKnee > 0);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| fan-out `{variant}`: no loss and p99 < 100 ms up to ≥ 2 × best peer's knee ({Fmt(2 * peerKnee)} deliveries/s) | {Fmt(knee)} deliveries/s{lowerBound} | {verdict} |");
            var cheapestPeer = Peers.Select(p => Value(Find(rows, p, "fanout", variant), "server_cpu_us_per_delivery")).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min();
            var ourCpu = Value(ours, "server_cpu_us_per_delivery");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| fan-out `{variant}`: server CPU per delivery ≤ best peer's ({Fmt(cheapestPeer)} µs) | {Fmt(ourCpu)} µs | {Met(ourCpu <= cheapestPeer)} |");
        }

        var perConnection = Value(Find(rows, "ours", "connections"), "rss_bytes_per_conn") / 1024;
        md.AppendLine(CultureInfo.InvariantCulture, $"| idle connections: ≤ 10 KB per connection over all server processes (RSS) | {Fmt(perConnection)} KB | {Met(perConnection <= 10)} |");
        md.AppendLine();
        md.AppendLine("Fan-out CPU per delivery is compared at each setup's own knee (its highest passing rate).");
        md.AppendLine();
    }

    private static void Echo(StringBuilder md, List<Row> rows)
    {
        md.AppendLine("## Echo (acked request/response, 64 B payload)");
        md.AppendLine();
        Table(md, rows, "echo", string.Empty,
        [
            ("clients", "clients", false),
            ("inflight", "requests in flight per client", false),
            ("requests_per_s", "requests/s", true),
            ("p50_ms", "p50 latency (ms)", false),
            ("p99_ms", "p99 latency (ms)", false),
            ("p999_ms", "p99.9 latency (ms)", false),
            ("server_cpu_us_per_req", "server CPU per request (µs)", false),
            ("server_cores", "server CPU (cores)", false),
            ("loadgen_cores", "load generator CPU (cores)", false),
            ("unanswered", "unanswered requests", false),
            ("bad_acks", "mismatched acks", false),
        ]);
        PerProcess(md, rows, "echo");
        md.AppendLine("The original socket.io-distributor (not installable here) is quoted from the issue: ~20,000 req/s at ~70 µs server CPU per request.");
        md.AppendLine();
    }

    private static void Fanout(StringBuilder md, List<Row> rows)
    {
        md.AppendLine("## Fan-out (backend broadcast; rates double until a loss or p99 > 100 ms)");
        md.AppendLine();
        md.AppendLine("Variants: `all` = namespace/hub-wide, `half` = a room with every other client, `ten` = a room of 10 clients. Figures are at the knee (the last passing step); `fail at` is the first failing step.");
        md.AppendLine();
        foreach (var variant in rows.Where(r => r.Scenario == "fanout").Select(r => r.Variant).Distinct())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### `{variant}`");
            md.AppendLine();
            Table(md, rows, "fanout", variant,
            [
                ("recipients", "recipients per broadcast", false),
                ("deliveries_per_s", "deliveries/s at the knee", true),
                ("broadcasts_per_s", "broadcasts/s at the knee", true),
                ("p50_ms", "p50 latency (ms)", false),
                ("p99_ms", "p99 latency (ms)", false),
                ("server_cpu_us_per_delivery", "server CPU per delivery (µs)", false),
                ("lost", "lost at the knee", false),
                ("fail_deliveries_per_s", "fail at (deliveries/s offered)", false),
                ("fail_lost", "lost at the failing step", false),
                ("fail_p99_ms", "p99 at the failing step (ms)", false),
                ("loadgen_cores", "load generator CPU (cores)", false),
            ]);
        }
    }

    private static void Connections(StringBuilder md, List<Row> rows)
    {
        md.AppendLine("## Idle connections");
        md.AppendLine();
        md.AppendLine("Each client completes the Engine.IO handshake and joins `/bench` (Socket.IO CONNECT, answered by our backend) or the `/bench` hub (SignalR). Memory is the marginal cost: RSS (from /proc) and managed/JS heap (after a forced full GC) against a baseline taken after a warm batch of connections that stays open.");
        md.AppendLine();
        Table(md, rows, "connections", string.Empty,
        [
            ("clients", "connections", false),
            ("alive_after_idle", "alive after idling", false),
            ("connects_per_s", "connects/s (handshake + namespace/hub)", true),
            ("server_cpu_us_per_connect", "server CPU per connect (µs)", false),
            ("rss_bytes_per_conn", "RSS per connection, all processes (bytes)", false),
            ("heap_bytes_per_conn", "managed/JS heap per connection (bytes)", false),
            ("idle_server_cores", "idle server CPU (cores)", false),
        ]);
        PerProcess(md, rows, "connections");
    }

    private static void PerProcess(StringBuilder md, List<Row> rows, string scenario)
    {
        md.AppendLine("Per server process (each divided by the total count, so they add up to the row above):");
        md.AppendLine();
        foreach (var row in rows.Where(r => r.Scenario == scenario && TargetNames.ContainsKey(r.Target)))
        {
            var parts = row.Values.Where(kv => kv.Key.Contains('.', StringComparison.Ordinal)).Select(kv => $"{kv.Key} {Fmt(kv.Value)}");
            md.AppendLine(CultureInfo.InvariantCulture, $"- {TargetNames[row.Target]}: {string.Join(", ", parts)}");
        }

        md.AppendLine();
    }

    private static void Mixed(StringBuilder md, List<Row> rows)
    {
        md.AppendLine("## Mixed: the demo chat");
        md.AppendLine();
        md.AppendLine("Ours runs `samples/Demo`'s `ChatBackend`; the peers implement the same logic (validate, keep 50 messages of history, send `history` on connect, ack `ok`, broadcast `chatMessage` to everyone). Every post is delivered to every client, so deliveries/s = posts/s × clients.");
        md.AppendLine();
        Table(md, rows, "mixed", string.Empty,
        [
            ("clients", "clients", false),
            ("posts_per_s", "posts/s", false),
            ("deliveries_per_s", "deliveries/s", false),
            ("ack_p50_ms", "ack p50 (ms)", false),
            ("ack_p99_ms", "ack p99 (ms)", false),
            ("delivery_p50_ms", "delivery p50 (ms)", false),
            ("delivery_p99_ms", "delivery p99 (ms)", false),
            ("lost", "lost deliveries", false),
            ("unacked", "unacked posts", false),
            ("server_cores", "server CPU (cores)", false),
            ("server_cpu_us_per_delivery", "server CPU per delivery (µs)", false),
        ]);
    }

    private static void Table(StringBuilder md, List<Row> rows, string scenario, string variant, (string Key, string Label, bool HigherIsBetter)[] metrics)
    {
        md.AppendLine("| metric | " + string.Join(" | ", TargetNames.Values) + " | ours ÷ socket.io | ours ÷ SignalR |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        var ours = Find(rows, "ours", scenario, variant);
        foreach (var (key, label, _) in metrics)
        {
            var values = TargetNames.Keys.Select(t => Value(Find(rows, t, scenario, variant), key)).ToArray();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {string.Join(" | ", values.Select(Fmt))} | {Ratio(values[0], values[1])} | {Ratio(values[0], values[2])} |");
        }

        foreach (var target in TargetNames.Keys.Where(t => Find(rows, t, scenario, variant) is { Notes.Count: > 0 } r && scenario != "fanout"))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"\n{TargetNames[target]}: {string.Join("; ", Find(rows, target, scenario, variant)!.Notes)}");
        }

        if (ours is null)
        {
            md.AppendLine("\n(ours: no result)");
        }

        md.AppendLine();
    }

    private static Row? Find(List<Row> rows, string target, string scenario, string variant = "") =>
        rows.LastOrDefault(r => r.Target == target && r.Scenario == scenario && r.Variant == variant);

    private static double Value(Row? row, string key) =>
        row is not null && row.Values.TryGetValue(key, out var value) ? value : double.NaN;

    private static string Fmt(double value) =>
        double.IsNaN(value) ? "–" : Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Ratio(double ours, double peer) =>
        double.IsNaN(ours) || double.IsNaN(peer) || peer == 0 ? "–" : (ours / peer).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string Met(bool met) => met ? "**met**" : "**not met**";

    private sealed class Row
    {
        public string Target { get; set; } = string.Empty;

        public string Scenario { get; set; } = string.Empty;

        public string Variant { get; set; } = string.Empty;

        public Dictionary<string, double> Values { get; set; } = [];

        public List<string> Notes { get; set; } = [];
    }
}
