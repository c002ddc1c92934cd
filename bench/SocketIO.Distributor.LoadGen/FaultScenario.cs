using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// The issue's faults under load, against two distributors and two backend replicas on one
/// redis-server: N clients each send an acked <c>echo</c> every <c>--echo-ms</c>; clients 0 and 1
/// request numbered broadcasts (<c>fire("", "b:n")</c>, acked by the backend once published) every
/// <c>--fire-ms</c>. After <c>--warmup</c> s the fault is injected by process id:
/// <list type="bullet">
/// <item><c>redis-restart</c>: kill -9 of redis-server, <c>--outage</c> s later a new one on the same port (this process starts it, and kills it at the end);</item>
/// <item><c>backend-kill</c>, <c>distributor-kill</c>: kill -9 of the first backend / distributor;</item>
/// <item><c>backend-pause</c>, <c>distributor-pause</c>: SIGSTOP for <c>--pause</c> s, then SIGCONT.</item>
/// </list>
/// From the end of the fault (restart, kill, resume) it measures for <c>--observe</c> s, stops sending,
/// waits for the last acks, and writes one row: clients still connected, disconnects, time until every
/// client had an echo answered again, until when requests failed, every echo outcome (answered,
/// error-acked, timed out = silently lost), and deliveries of acked broadcasts that never arrived.
/// </summary>
internal static partial class FaultScenario
{
    private const int MaxFires = 100_000;

    public static async Task RunAsync(ScenarioContext context)
    {
        var fault = context.Get("fault", "backend-kill");
        var count = context.Int("clients", 400);
        var echoMs = context.Int("echo-ms", 500);
        var fireMs = context.Int("fire-ms", 100);
        var ackTimeout = TimeSpan.FromMilliseconds(context.Int("ack-timeout-ms", 5000));
        var warmup = TimeSpan.FromSeconds(context.Double("warmup", 3));
        var observe = TimeSpan.FromSeconds(context.Double("observe", 8));
        var outage = TimeSpan.FromSeconds(context.Double("outage", 2));
        var pause = TimeSpan.FromSeconds(context.Double("pause", 6));
        var processes = Processes(context.Get("procs", string.Empty));

        var state = new FaultLoadState(count, ackTimeout);
        var (clients, _, failed) = await context.ConnectAsync(count, "bench", 100, c => c.Inbound = state.OnInbound).ConfigureAwait(false);
        if (failed > 0 || clients.Count < 2)
        {
            throw new InvalidOperationException($"only {clients.Count} of {count} clients connected before the fault");
        }

        using var stop = new CancellationTokenSource();
        var loops = new List<Task>
        {
            EchoLoopAsync(clients, state, echoMs, stop.Token),
            FireLoopAsync(clients, state, fireMs, stop.Token),
            SweepLoopAsync(state, clients, stop.Token),
        };
        Process? restartedRedis = null;
        try
        {
            await Task.Delay(warmup).ConfigureAwait(false);
            Console.WriteLine($"  {fault}: injecting");
            var faultAt = Stopwatch.GetTimestamp();
            switch (fault)
            {
                case "redis-restart":
                    Kill(processes["redis"]);
                    await Task.Delay(outage).ConfigureAwait(false);
                    restartedRedis = await StartRedisAsync(context.Int("redis-port", 6379)).ConfigureAwait(false);
                    break;
                case "backend-kill":
                    Kill(processes["backend1"]);
                    break;
                case "distributor-kill":
                    Kill(processes["distributor1"]);
                    break;
                case "backend-pause":
                case "distributor-pause":
                    var pid = processes[fault.StartsWith("backend", StringComparison.Ordinal) ? "backend1" : "distributor1"];
                    await SignalAsync(pid, "STOP").ConfigureAwait(false);
                    await Task.Delay(pause).ConfigureAwait(false);
                    await SignalAsync(pid, "CONT").ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentException("unknown fault " + fault);
            }

            var recovered = Stopwatch.GetTimestamp();
            await Task.Delay(observe).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);

            // The last requests: answered, or timed out once the ack timeout has passed.
            var deadline = Stopwatch.GetTimestamp() + (long)((ackTimeout + TimeSpan.FromSeconds(1)).TotalSeconds * Stopwatch.Frequency);
            while (state.Pending() > 0 && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(100).ConfigureAwait(false);
                state.Sweep(clients);
            }

            state.Sweep(clients, force: true);
            var row = state.Result(context.Target, fault, faultAt, recovered, clients);
            row.Set("counted_lost", await CountedLossesAsync(context.Get("logs", string.Empty), context.Get("backend-stats", string.Empty)).ConfigureAwait(false));
            row.Append(context.ResultsPath);
            Console.WriteLine($"  {fault}: {string.Join(", ", row.Values.Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}"))}");
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await ScenarioContext.CloseAllAsync(clients).ConfigureAwait(false);
            if (restartedRedis is not null)
            {
                restartedRedis.Kill(entireProcessTree: true);
                restartedRedis.Dispose();
            }
        }
    }

    /// <summary>
    /// What the processes counted as lost: the distributors' gap lines and "possibly lost" lines in the logs
    /// named <paramref name="logPrefix"/>*, and the "lost" counters of the live backends' <c>/bench-stats</c>.
    /// </summary>
    private static async Task<long> CountedLossesAsync(string logPrefix, string backendStats)
    {
        long total = 0;
        if (logPrefix.Length > 0)
        {
            var directory = Path.GetDirectoryName(logPrefix)!;
            foreach (var file in Directory.GetFiles(directory, Path.GetFileName(logPrefix) + "*"))
            {
                foreach (Match match in LossLine().Matches(await File.ReadAllTextAsync(file).ConfigureAwait(false)))
                {
                    total += long.Parse(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value, CultureInfo.InvariantCulture);
                }
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        foreach (var url in backendStats.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var stats = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(url)).ConfigureAwait(false));
                if (stats.RootElement.TryGetProperty("lost", out var lost) && lost.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    total += lost.EnumerateObject().Sum(c => c.Value.GetInt64());
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // A killed backend: its counts died with it.
            }
        }

        return total;
    }

    [GeneratedRegex(@"(\d+) message\(s\) from \S+ on \S+ never arrived|(\d+) client event\(s\) without ack .* possibly lost")]
    private static partial Regex LossLine();

    private static Dictionary<string, int> Processes(string spec) =>
        spec.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static void Kill(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    private static async Task<Process> StartRedisAsync(int port)
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        var redis = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await redis.StandardOutput.ReadLineAsync(ready.Token).ConfigureAwait(false) is { } line)
        {
            if (line.Contains("eady to accept connections", StringComparison.Ordinal))
            {
                // Keep draining its output so it never blocks on a full pipe.
                _ = redis.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                return redis;
            }
        }

        throw new InvalidOperationException("redis-server exited before it was ready");
    }

    private static async Task EchoLoopAsync(List<BenchClient> clients, FaultLoadState state, int echoMs, CancellationToken stop)
    {
        // One pass over every client per interval, in small batches every 20 ms (a timer per client, or
        // one tick per client, would not keep up on 2 cores).
        const int TickMs = 20;
        var perTick = Math.Max(1, (int)Math.Ceiling(clients.Count * TickMs / (double)echoMs));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(TickMs));
        var next = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                for (var i = 0; i < perTick; i++)
                {
                    var client = clients[next];
                    next = (next + 1) % clients.Count;
                    if (client.Failure is null)
                    {
                        var (id, payload) = state.NewEcho(client.Index);
                        await SendAsync(client, "echo", id, "\"" + payload + "\"").ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task FireLoopAsync(List<BenchClient> clients, FaultLoadState state, int fireMs, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(fireMs));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                // Clients 0 and 1 sit on different distributors: whichever is still connected fires.
                var preferred = clients[(int)(state.FiresSent % 2)];
                var firer = preferred.Failure is null ? preferred : clients[1 - (int)(state.FiresSent % 2)];
                if (firer.Failure is not null)
                {
                    continue;
                }

                var (id, seq) = state.NewFire(firer.Index);
                if (seq <= MaxFires)
                {
                    await SendAsync(firer, "fire", id, $"\"\",\"b:{seq}\"").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task SweepLoopAsync(FaultLoadState state, List<BenchClient> clients, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                state.Sweep(clients);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async ValueTask SendAsync(BenchClient client, string ev, long id, string args)
    {
        try
        {
            await client.EmitAsync(ev, id, args).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The connection is gone: the request stays pending and times out, and the client counts as disconnected.
        }
    }

    /// <summary>Writes the fault table between markers in RESULTS.md (or appends it), leaving the rest as it is.</summary>
    public static void WriteReport(Dictionary<string, string> options)
    {
        var rows = File.ReadAllLines(options["results"])
            .Where(l => l.Length > 0)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<FaultRow>(l, ResultJson.Options)!)
            .Where(r => r.Scenario == "fault")
            .ToList();
        var md = new StringBuilder();
        md.AppendLine(FaultTable.Begin);
        md.AppendLine("## Faults");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Written by `{options.GetValueOrDefault("command", "bench/run fault")}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Ours only: two distributors and two bench backend replicas (heartbeat {options.GetValueOrDefault("heartbeat", "500")} ms, a member silent for three is dead) on one `redis-server`, fresh processes per fault; {rows.FirstOrDefault()?.Values.GetValueOrDefault("clients") ?? 0} LoadGen clients each send an acked `echo` every 500 ms, and two of them ask the backend for a numbered broadcast to everyone every 100 ms (acked once published). The fault comes after 3 s of load; measured from the end of the fault (restart, kill, resume) for 8 s, then until the last ack or its 5 s timeout.");
        md.AppendLine();
        md.AppendLine("| fault | clients connected at the end | disconnects | every client answered again after | requests failing or slow until | echoes sent | answered | error-acked | failed by the client's disconnect | timed out (silent) | broadcasts acked | deliveries of acked broadcasts missing | losses the processes counted | target |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            double V(string key) => row.Values.TryGetValue(key, out var v) ? v : double.NaN;
            string Count(string key) => double.IsNaN(V(key)) ? "–" : V(key).ToString("0", CultureInfo.InvariantCulture);
            string Ms(string key) => double.IsNaN(V(key)) || V(key) < 0 ? "never" : $"{V(key):0} ms";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Variant} | {V("connected"):0}/{V("clients"):0} | {V("disconnects"):0} | {Ms("all_working_ms")} | {Ms("last_bad_ms")} | {V("echo_sent"):0} | {V("echo_ok"):0} | {V("echo_error"):0} | {Count("echo_disconnected")} | {V("echo_timeout"):0} | {V("fires_ok"):0} | {V("broadcasts_missing"):0} | {V("counted_lost"):0} | {FaultTable.Target(row.Variant)} |");
        }

        md.AppendLine();
        md.AppendLine("\"Requests failing or slow until\": the latest moment, after the end of the fault, at which a request was sent that failed, or an answer came more than 1 s late. For a killed distributor, its clients (half of them) are disconnected by the kill and do not reconnect (the LoadGen clients do not reconnect), and their requests in flight at the kill fail by the disconnect (each such client sees its connection close: not a silent loss); the other half is what counts. \"Losses the processes counted\": messages the distributors found missing by sequence gaps and events without ack possibly lost (their logs), plus the live backends' loss counters (`/bench-stats`); one lost broadcast message at a distributor is one count but a missing delivery at each of its clients.");
        md.AppendLine(FaultTable.End);
        FaultTable.Replace(options["out"], md.ToString());
    }

    private sealed class FaultRow
    {
        public string Scenario { get; set; } = string.Empty;

        public string Variant { get; set; } = string.Empty;

        public Dictionary<string, double> Values { get; set; } = [];
    }
}
