using System.Globalization;
using System.Text;
using Figure = SocketIO.Distributor.LoadGen.ResultSet.Figure;

namespace SocketIO.Distributor.LoadGen;

/// <summary>Writes bench/RESULTS.md from the result rows of one run: medians and ranges over its interleaved runs.</summary>
internal static class Report
{
    private static readonly Dictionary<string, string> TargetNames = new()
    {
        ["ours"] = "SocketIO.Distributor",
        ["socketio"] = "socket.io 4 + redis-adapter",
        ["signalr"] = "SignalR + Redis backplane",
        ["floor"] = "floor: one .NET process, raw sockets, no Redis",
    };

    public static void Write(Dictionary<string, string> options)
    {
        var set = new ResultSet(options["results"]);
        var quick = options.TryGetValue("quick", out var q) && q == "1";
        var runs = options.GetValueOrDefault("runs", "1");
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks: SocketIO.Distributor beside its peers");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Written by `bench/run` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; every number below comes from that one invocation ({runs} interleaved run(s) of each scenario on each setup).");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{options.GetValueOrDefault("command", "bench/run")}`");
        md.AppendLine();
        if (quick)
        {
            md.AppendLine("> **Quick mode** (`--quick`): a few seconds per scenario and small N, for smoke testing. These numbers are not measurements; run `bench/run` on an otherwise idle machine for the real table.");
            md.AppendLine();
        }

        Method(md);
        if (options.TryGetValue("machine", out var machine) && File.Exists(machine))
        {
            md.AppendLine("## Machine");
            md.AppendLine();
            md.AppendLine("```");
            md.AppendLine(File.ReadAllText(machine).TrimEnd());
            md.AppendLine("```");
            md.AppendLine();
        }

        foreach (var generator in set.Generators)
        {
            IssueTable.Write(md, set, generator);
        }

        IssueTable.Targets(md, set);
        KernelShareTable.Write(md, set);
        TimeBasedShareTable.Write(md, set);
        Bounds(md, options["out"]);
        RecoveryTable.Write(md, set);
        Interference(md, set);
        HostSpeed(md, set, options.TryGetValue("canary", out var canary) && File.Exists(canary) && new FileInfo(canary).Length > 0 ? new ResultSet(canary) : null);
        foreach (var generator in set.Generators)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Details ({GeneratorName(generator)} generator)");
            md.AppendLine();
            Details(md, set, generator);
        }

        md.AppendLine("## Profile: where our time goes");
        md.AppendLine();
        if (options.TryGetValue("profile", out var profile) && File.Exists(profile))
        {
            md.AppendLine(File.ReadAllText(profile).TrimEnd());
        }
        else
        {
            md.AppendLine("Not produced by this run (`bench/run --profile` or a full run writes it). Findings written by hand: `bench/profile-notes.md`.");
        }

        md.AppendLine();
        md.AppendLine("## Fan-out steps (raw, every run)");
        md.AppendLine();
        foreach (var generator in set.Generators)
        {
            foreach (var variant in set.Variants("fanout"))
            {
                foreach (var target in TargetNames.Keys)
                {
                    if (set.Find(generator, target, "fanout", variant) is not { } found)
                    {
                        continue;
                    }

                    md.AppendLine(CultureInfo.InvariantCulture, $"- {TargetNames[target]}, `{variant}`, {GeneratorName(generator)} generator:");
                    foreach (var note in found.Notes)
                    {
                        md.AppendLine(CultureInfo.InvariantCulture, $"  - {note}");
                    }
                }
            }
        }

        File.WriteAllText(options["out"], md.ToString());
    }

    /// <summary>
    /// What bounds the targets that are not met: written by hand in <c>bounds.md</c> beside the output
    /// (from the profiles in <c>profile-notes.md</c>), so a new run keeps it with its numbers.
    /// </summary>
    private static void Bounds(StringBuilder md, string output)
    {
        var bounds = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output)) ?? ".", "bounds.md");
        if (!File.Exists(bounds))
        {
            return;
        }

        md.AppendLine(File.ReadAllText(bounds).TrimEnd());
        md.AppendLine();
    }

    internal static string GeneratorName(string generator) => generator == "node" ? "Node (`bench/nodegen`, raw `ws`)" : "C# (`LoadGen`, `ClientWebSocket`)";

    private static void Method(StringBuilder md)
    {
        md.AppendLine("## Method");
        md.AppendLine();
        md.AppendLine("- Every server setup is two server processes on one `redis-server` (started by the script on a free loopback port). Ours: two distributors + one backend process. Clients are spread round-robin over the two ports.");
        md.AppendLine("- Fresh server processes for every measurement. Each scenario runs `--runs` times (3 by default) **interleaved**: run 1 of every scenario on every setup, then run 2, …; the setups' order rotates from run to run. Cells are **median (min–max)** over the runs.");
        md.AppendLine("- Two generators: the C# `LoadGen` (raw `ClientWebSocket`) and a Node one (`bench/nodegen`: raw `ws` clients speaking Engine.IO/Socket.IO or SignalR JSON by hand), so the generator never shares a runtime with the setup it loads.");
        md.AppendLine("- Warm-up before measuring, at the measured load: echo 10 s, fan-out 10 s of broadcasts at the first step's rate, light load 5 s (2 s more before 10 × 10/s on the same processes), idle 10 s, and idle again 180 s after start (`idle-steady`: every setup's processes idle side by side, once the JIT has tiered up).");
        md.AppendLine("- Server CPU is utime+stime from `/proc/<pid>/stat` of every server process *including redis-server*, over the measured window; context switches are voluntary + nonvoluntary of every thread (`/proc/<pid>/task/*/status`).");
        md.AppendLine("- Interference: the generator's own CPU, and the machine's busy time (`/proc/stat`) minus servers and generator (\"other\"), over the same window; see the interference table.");
        md.AppendLine("- The original Node `socket.io-distributor` is not on npm (`npm view socket.io-distributor`: 404); its column quotes the independent harness's figures from issue 13 and is not measured here.");
        md.AppendLine();
    }

    private static void Interference(StringBuilder md, ResultSet set)
    {
        md.AppendLine("## Interference (cores; the generator's own CPU / everything else on the machine)");
        md.AppendLine();
        var columns = Columns(set);
        md.AppendLine("| scenario | generator | " + string.Join(" | ", columns.Select(t => TargetNames[t])) + " |");
        md.AppendLine("| --- | --- |" + string.Concat(columns.Select(_ => " ---: |")));
        foreach (var generator in set.Generators)
        {
            foreach (var (scenario, variant) in new[] { ("echo", string.Empty), ("light", "1x1"), ("light", "10x10/s"), ("idle", string.Empty), ("idle", "steady") })
            {
                var cells = columns.Select(t => set.Find(generator, t, scenario, variant) is { } a ? $"{a["loadgen_cores"]} / {a["other_cores"]}" : "–");
                md.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} {variant} | {generator} | {string.Join(" | ", cells)} |");
            }
        }

        md.AppendLine();
    }

    /// <summary>
    /// Every echo run beside the host canary measured during it (<see cref="HostCanary"/>): on this virtual
    /// machine a run can be slow because the host's cores were, for every setup alike.
    /// </summary>
    private static void HostSpeed(StringBuilder md, ResultSet set, ResultSet? canaries)
    {
        md.AppendLine("## Echo runs and the host's speed");
        md.AppendLine();
        if (canaries is null)
        {
            md.AppendLine("No host canary in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("The canary times a fixed piece of integer work in its own CPU time every 250 ms during each");
        md.AppendLine("measurement (ns per round, median; lower is a faster host). Waiting for a core does not count in it; a");
        md.AppendLine("slower core, or a core shared with another tenant, does.");
        md.AppendLine();
        md.AppendLine("| setup | generator | run | requests/s | server CPU per request (µs) | canary (ns per round) |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var generator in set.Generators)
        {
            foreach (var target in TargetNames.Keys)
            {
                foreach (var row in (set.Find(generator, target, "echo")?.Runs ?? []).OrderBy(r => r.Run))
                {
                    var canary = HostCanary.Of(canaries, generator, target, "echo", row.Run);
                    md.AppendLine(CultureInfo.InvariantCulture,
                        $"| {TargetNames[target]} | {generator} | {row.Run} | {Figure.Format(row.Values.GetValueOrDefault("requests_per_s", double.NaN))} | {Figure.Format(row.Values.GetValueOrDefault("server_cpu_us_per_req", double.NaN))} | {(canary is { } c ? c.ToString("0.000", CultureInfo.InvariantCulture) : "–")} |");
                }
            }
        }

        md.AppendLine();
    }

    private static void Details(StringBuilder md, ResultSet set, string generator)
    {
        Section(md, set, generator, "Echo (acked request/response, 64 B payload)", "echo", string.Empty,
        [
            ("clients", "clients"), ("inflight", "requests in flight per client"), ("requests_per_s", "requests/s"),
            ("p50_ms", "p50 latency (ms)"), ("p99_ms", "p99 latency (ms)"), ("p999_ms", "p99.9 latency (ms)"),
            ("server_cpu_us_per_req", "server CPU per request (µs)"), ("ctx_switches_per_req", "context switches per request"),
            ("server_cores", "server CPU (cores)"), ("loadgen_cores", "load generator CPU (cores)"), ("loadgen_loop_busy", "Node generator's event loop busy (share)"),
            ("other_cores", "other CPU (cores)"), ("unanswered", "unanswered requests"), ("bad_acks", "mismatched acks"),
        ]);
        foreach (var variant in set.Variants("fanout"))
        {
            Section(md, set, generator, $"Fan-out `{variant}` (rates double until a loss or p99 > 100 ms; figures at the knee)", "fanout", variant,
            [
                ("recipients", "recipients per broadcast"), ("deliveries_per_s", "deliveries/s at the knee"), ("broadcasts_per_s", "broadcasts/s at the knee"),
                ("p50_ms", "p50 latency (ms)"), ("p99_ms", "p99 latency (ms)"), ("server_cpu_us_per_delivery", "server CPU per delivery at the knee (µs)"),
                ("first_broadcasts_per_s", "first step: broadcasts/s"), ("first_server_cpu_us_per_delivery", "first step: server CPU per delivery (µs)"),
                ("first_p99_ms", "first step: p99 (ms)"), ("fail_deliveries_per_s", "fail at (deliveries/s offered)"), ("fail_lost", "lost at the failing step"),
                ("fail_p99_ms", "p99 at the failing step (ms)"), ("reached_max_step", "no knee found (1 = lower bound)"), ("loadgen_cores", "load generator CPU (cores)"),
                ("loadgen_loop_busy", "Node generator's event loop busy (share of the step)"), ("fail_loadgen_cores", "failing step: load generator CPU (cores)"),
                ("fail_loadgen_loop_busy", "failing step: Node generator's event loop busy"),
                ("fail_control_closed", "failing step: the server closed the control connection (1 = yes)"),
            ]);
        }

        Section(md, set, generator, "Idle connections (memory: marginal RSS and heap after a forced full GC, against a warm baseline)", "connections", string.Empty,
        [
            ("clients", "connections"), ("alive_after_idle", "alive after idling"), ("connects_per_s", "connects/s"),
            ("server_cpu_us_per_connect", "server CPU per connect (µs)"), ("rss_bytes_per_conn", "RSS per connection, all processes (bytes)"),
            ("heap_bytes_per_conn", "managed/JS heap per connection (bytes)"), ("idle_server_cores", "idle server CPU (cores)"),
        ]);
        foreach (var variant in set.Variants("light"))
        {
            Section(md, set, generator, $"Light load `{variant}`", "light", variant,
            [
                ("requests_per_s", "requests/s"), ("p50_ms", "p50 latency (ms)"), ("p99_ms", "p99 latency (ms)"),
                ("server_cpu_us_per_req", "server CPU per request (µs)"), ("ctx_switches_per_req", "context switches per request"),
                ("server_cores", "server CPU (cores)"), ("unanswered", "unanswered"),
            ]);
        }

        Section(md, set, generator, "Idle processes (no clients)", "idle", string.Empty,
        [
            ("max_process_core_percent", "busiest server process (% of a core)"), ("server_cores", "all server processes (cores)"),
            ("ctx_switches_per_s", "context switches/s, all processes"),
        ]);
        Section(md, set, generator, "Idle processes 3 minutes after start (no clients; the JIT has tiered up)", "idle", "steady",
        [
            ("max_process_core_percent", "busiest server process (% of a core)"), ("server_cores", "all server processes (cores)"),
            ("ctx_switches_per_s", "context switches/s, all processes"),
        ]);
        Section(md, set, generator, "Mixed: the demo chat (every post to every client)", "mixed", string.Empty,
        [
            ("clients", "clients"), ("posts_per_s", "posts/s"), ("deliveries_per_s", "deliveries/s"), ("ack_p50_ms", "ack p50 (ms)"),
            ("ack_p99_ms", "ack p99 (ms)"), ("delivery_p50_ms", "delivery p50 (ms)"), ("delivery_p99_ms", "delivery p99 (ms)"),
            ("lost", "lost deliveries"), ("unacked", "unacked posts"), ("server_cpu_us_per_delivery", "server CPU per delivery (µs)"),
        ]);
    }

    private static void Section(StringBuilder md, ResultSet set, string generator, string title, string scenario, string variant, (string Key, string Label)[] metrics)
    {
        var columns = Columns(set);
        var found = columns.Select(t => set.Find(generator, t, scenario, variant)).ToArray();
        if (found.All(f => f is null))
        {
            return;
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
        md.AppendLine();
        md.AppendLine("| metric | " + string.Join(" | ", columns.Select(t => TargetNames[t])) + " | ours ÷ socket.io | ours ÷ SignalR |");
        md.AppendLine("| --- |" + string.Concat(columns.Select(_ => " ---: |")) + " ---: | ---: |");
        foreach (var (key, label) in metrics)
        {
            var figures = found.Select(f => f?[key] ?? Figure.None).ToArray();
            if (figures.All(f => !f.Exists))
            {
                continue;
            }

            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {string.Join(" | ", figures)} | {Ratio(figures[0], figures[1])} | {Ratio(figures[0], figures[2])} |");
        }

        md.AppendLine();
        var perProcess = found[0]?.Keys.Where(k => k.Contains('.', StringComparison.Ordinal)).ToList() ?? [];
        if (perProcess.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Ours per process (each divided by the total count): {string.Join(", ", perProcess.Select(k => $"{k} {found[0]![k]}"))}");
            md.AppendLine();
        }
    }

    /// <summary>The setups a table has columns for: ours and the two peers always (in that order), the floor when the run measured it.</summary>
    private static List<string> Columns(ResultSet set) =>
        [.. TargetNames.Keys.Where(t => t != "floor" || set.Rows.Any(r => r.Target == t))];

    internal static string Ratio(Figure ours, Figure peer) =>
        !ours.Exists || !peer.Exists || peer.Median == 0 ? "–" : (ours.Median / peer.Median).ToString("0.00", CultureInfo.InvariantCulture) + "×";
}
