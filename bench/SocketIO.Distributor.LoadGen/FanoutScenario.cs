using System.Diagnostics;
using System.Globalization;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// N receiving clients over the servers and one control client. The control client asks the app to
/// broadcast <c>tick</c> (to everyone, or to a room) at rising rates; every receiver counts what it
/// gets per step and measures latency from the timestamp in the payload. A step fails on any loss or
/// p99 over the limit; the knee is the last step that passed.
/// </summary>
internal static class FanoutScenario
{
    public static async Task RunAsync(ScenarioContext context)
    {
        var count = context.Int("clients", 200);
        var stepSeconds = context.Double("step", 3);
        var maxSteps = context.Int("steps", 8);
        var startRate = context.Double("fanout-start", 5000);
        var factor = context.Double("fanout-factor", 2);
        var p99Limit = context.Double("p99-limit-ms", 100);
        var payloadSize = context.Int("payload", 64);
        var variants = context.Get("variants", "all,half,ten").Split(',', StringSplitOptions.RemoveEmptyEntries);

        // --shape many|few names the rows (many-clients-at-low-rates vs few-clients-at-high-rates).
        var shape = context.Get("shape", string.Empty);
        string Named(string variant) => shape.Length == 0 ? variant : shape + "-" + variant;

        var step = 0L;
        var received = new long[count];
        long late = 0, joined = 0;
        var latency = new LatencyRecorder(4_000_000);

        void OnInbound(BenchClient client, InboundKind kind, long id, string? name, ReadOnlyMemory<byte> message)
        {
            if (kind == InboundKind.Ack)
            {
                Interlocked.Increment(ref joined);
                return;
            }

            if (name != "tick" || client.Index >= count)
            {
                return;
            }

            var span = message.Span;
            if (ScenarioContext.ReadField(span, "k="u8) != Volatile.Read(ref step))
            {
                Interlocked.Increment(ref late);
                return;
            }

            Interlocked.Increment(ref received[client.Index]);
            latency.Record(ScenarioContext.ReadField(span, "t="u8));
        }

        var (clients, connectRate, failed) = await context.ConnectAsync(count, "bench", 100, c => c.Inbound = OnInbound).ConfigureAwait(false);
        var (controls, _, _) = await context.ConnectAsync(1, "bench", 1, null, firstIndex: count).ConfigureAwait(false);
        if (controls.Count == 0)
        {
            throw new InvalidOperationException("the control client could not connect");
        }

        var control = controls[0];
        var members = new Dictionary<string, HashSet<int>>
        {
            ["all"] = [.. clients.Select(c => c.Index)],
            ["half"] = [.. clients.Where(c => c.Index % 2 == 0).Select(c => c.Index)],
            ["ten"] = [.. clients.Where(c => c.Index < 10).Select(c => c.Index)],
        };
        var joins = 0;
        foreach (var client in clients)
        {
            if (client.Index % 2 == 0)
            {
                await client.EmitAsync("join", 1, "\"half\"").ConfigureAwait(false);
                joins++;
            }

            if (client.Index < 10)
            {
                await client.EmitAsync("join", 2, "\"ten\"").ConfigureAwait(false);
                joins++;
            }
        }

        var joinDeadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 15);
        while (Interlocked.Read(ref joined) < joins && Stopwatch.GetTimestamp() < joinDeadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        Console.WriteLine($"  fanout: {clients.Count} clients ({connectRate:F0}/s), {Interlocked.Read(ref joined)}/{joins} joins acked");

        // Warm-up, unmeasured: broadcasts to everyone at the first step's rate (step id 0 is never counted).
        var warmup = Math.Clamp(context.Double("warmup", 0), 0, 60);
        if (warmup > 0)
        {
            var warmRate = Math.Max(1, startRate / Math.Max(1, clients.Count));
            var warmStart = Stopwatch.GetTimestamp();
            long warmFired = 0;
            while (Stopwatch.GetElapsedTime(warmStart).TotalSeconds < warmup && warmFired < warmRate * warmup)
            {
                var due = Math.Min((long)(warmRate * warmup), (long)(Stopwatch.GetElapsedTime(warmStart).TotalSeconds * warmRate) + 1);
                while (warmFired < due)
                {
                    var payload = ScenarioContext.Padded(string.Create(CultureInfo.InvariantCulture, $"k=0;s={warmFired};t={Stopwatch.GetTimestamp()};"), payloadSize);
                    await control.EmitAsync("fire", -1, "\"\",\"" + payload + "\"").ConfigureAwait(false);
                    warmFired++;
                }

                await Task.Delay(1).ConfigureAwait(false);
            }

            // The warm-up's deliveries drain before the first step (bounded: 10 s), so no step starts on a backlog.
            var warmDrain = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
            while (received.Sum() < warmFired * clients.Count && Stopwatch.GetTimestamp() < warmDrain)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }

            await Task.Delay(500).ConfigureAwait(false);
        }

        // The servers' background with every client connected and nothing sent, over one step's length, right
        // before the first step: what of a step's CPU is time-based (timers, heartbeats, the JIT's tail), not per delivery.
        var quietBefore = context.Sampler.CpuMicroseconds();
        var quietStart = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(stepSeconds)).ConfigureAwait(false);
        var quietSeconds = Stopwatch.GetElapsedTime(quietStart).TotalSeconds;
        var quietAfter = context.Sampler.CpuMicroseconds();
        var quietCores = ServerSampler.Sum(quietAfter, quietBefore) / 1e6 / quietSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fanout: {clients.Count} clients connected, nothing sent: {quietCores:F3} cores over {quietSeconds:F1} s (all server processes)"));

        // The server may close or disconnect the control client when its broadcasts outrun what the app can
        // take (ours: a socket's handler queue is bounded): that step is the knee, and the next variant gets a
        // new control client (if it cannot connect, the variants left are not run).
        var controlLost = false;
        var controlIndex = count;
        foreach (var variant in variants)
        {
            if (controlLost)
            {
                await ScenarioContext.CloseAllAsync([control]).ConfigureAwait(false);
                var (again, _, _) = await context.ConnectAsync(1, "bench", 1, null, firstIndex: ++controlIndex).ConfigureAwait(false);
                if (again.Count == 0)
                {
                    var skipped = new ResultRow { Target = context.Target, Scenario = "fanout", Variant = Named(variant) };
                    skipped.Notes.Add("not run: the server closed the control connection in an earlier variant and a new one could not connect");
                    skipped.Append(context.ResultsPath);
                    continue;
                }

                control = again[0];
                controlLost = false;
            }

            var recipients = members[variant];
            var room = variant == "all" ? string.Empty : variant;
            var rate = Math.Max(1, startRate / Math.Max(1, recipients.Count));
            ResultRow? knee = null;
            var row = new ResultRow { Target = context.Target, Scenario = "fanout", Variant = Named(variant) };
            for (var s = 0; s < maxSteps; s++)
            {
                Array.Clear(received);
                latency.Reset();
                Interlocked.Exchange(ref late, 0);
                var stepId = Interlocked.Increment(ref step);
                var cpuBefore = context.Sampler.CpuMicroseconds();
                var kernelBefore = context.Sampler.CpuMicroseconds(kernelOnly: true);
                var self = new SelfCpu();
                var start = Stopwatch.GetTimestamp();
                var total = (long)Math.Round(rate * stepSeconds);
                long fired = 0;
                while (fired < total && !controlLost && Stopwatch.GetElapsedTime(start).TotalSeconds < stepSeconds * 2)
                {
                    var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
                    while (fired < due)
                    {
                        var payload = ScenarioContext.Padded(
                            string.Create(CultureInfo.InvariantCulture, $"k={stepId};s={fired};t={Stopwatch.GetTimestamp()};"), payloadSize);
                        try
                        {
                            await control.EmitAsync("fire", -1, "\"" + room + "\",\"" + payload + "\"").ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException or OperationCanceledException)
                        {
                            controlLost = true;
                            break;
                        }

                        fired++;
                    }

                    await Task.Delay(1).ConfigureAwait(false);
                }

                var fireSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var expected = fired * recipients.Count;
                var drainUntil = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3);
                while (received.Sum() < expected && Stopwatch.GetTimestamp() < drainUntil)
                {
                    await Task.Delay(20).ConfigureAwait(false);
                }

                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var cpuAfter = context.Sampler.CpuMicroseconds();
                var kernelAfter = context.Sampler.CpuMicroseconds(kernelOnly: true);
                var kernel = ServerSampler.Sum(kernelAfter, kernelBefore);
                var delivered = received.Sum();
                var lost = Math.Max(0, expected - delivered);
                var extra = recipients.Sum(i => Math.Max(0, received[i] - fired)) + Enumerable.Range(0, count).Where(i => !recipients.Contains(i)).Sum(i => received[i]);
                var (p50, p99, p999, max) = latency.Percentiles();
                var cpu = ServerSampler.Sum(cpuAfter, cpuBefore);
                var offered = fired * recipients.Count / fireSeconds;
                var broken = clients.Count(c => c.Failure is not null);
                controlLost |= control.Failure is not null;
                var ok = lost == 0 && extra == 0 && p99 <= p99Limit && broken == 0 && !controlLost;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{rate:F0} bc/s x {recipients.Count} = {offered:F0} deliveries/s: p50 {p50:F1} ms p99 {p99:F1} ms, lost {lost}, extra {extra}, late {Interlocked.Read(ref late)}, broken {broken}, {cpu / Math.Max(1, delivered):F2} us CPU/delivery, loadgen {self.Cores():F2} cores");
                if (controlLost)
                {
                    line += ", the server closed the control connection";
                }

                Console.WriteLine($"  fanout {variant}: {line}");
                row.Notes.Add(line);
                if (!ok)
                {
                    row.Set("fail_deliveries_per_s", offered);
                    row.Set("fail_lost", lost);
                    row.Set("fail_p99_ms", p99);
                    row.Set("fail_loadgen_cores", self.Cores());
                    row.Set("fail_control_closed", controlLost ? 1 : 0);
                    break;
                }

                if (s == 0)
                {
                    // The cost per delivery at the first (lowest) rate, where the shapes differ most.
                    row.Set("first_broadcasts_per_s", fired / fireSeconds);
                    row.Set("first_server_cpu_us_per_delivery", delivered == 0 ? double.NaN : cpu / delivered);
                    row.Set("first_server_kernel_us_per_delivery", delivered == 0 ? double.NaN : kernel / delivered);
                    row.Set("first_p99_ms", p99);
                    row.Set("quiet_server_cores", quietCores);
                    var quietShare = delivered == 0 ? double.NaN : quietCores * 1e6 * elapsed / delivered;
                    row.Set("first_quiet_us_per_delivery", quietShare);
                    row.Set("first_rest_us_per_delivery", delivered == 0 ? double.NaN : (cpu / delivered) - quietShare);
                    foreach (var (name, us) in quietAfter)
                    {
                        row.Set("quiet_cores." + name, (us - quietBefore[name]) / 1e6 / quietSeconds);
                    }

                    // By process: what a delivery costs each, and what is not per delivery at all shows as the
                    // share of a process that hardly takes part in one (the backend and redis-server see one
                    // message per broadcast, not per delivery).
                    foreach (var (name, us) in cpuAfter)
                    {
                        row.Set("first_cpu_us_per_delivery." + name, delivered == 0 ? double.NaN : (us - cpuBefore[name]) / delivered);
                        row.Set("first_kernel_us_per_delivery." + name, delivered == 0 ? double.NaN : (kernelAfter[name] - kernelBefore[name]) / delivered);
                    }
                }

                knee = new ResultRow { Target = context.Target, Scenario = "fanout", Variant = Named(variant) };
                knee.Set("recipients", recipients.Count);
                knee.Set("broadcasts_per_s", fired / fireSeconds);
                knee.Set("deliveries_per_s", delivered / fireSeconds);
                knee.Set("p50_ms", p50);
                knee.Set("p99_ms", p99);
                knee.Set("p999_ms", p999);
                knee.Set("max_ms", max);
                knee.Set("lost", lost);
                knee.Set("server_cpu_us_per_delivery", delivered == 0 ? double.NaN : cpu / delivered);
                knee.Set("server_cores", cpu / 1e6 / elapsed);
                knee.Set("loadgen_cores", self.Cores());
                rate *= factor;
                await Task.Delay(500).ConfigureAwait(false);
            }

            foreach (var (key, value) in knee?.Values.Where(kv => !kv.Key.StartsWith("first_", StringComparison.Ordinal)) ?? [])
            {
                row.Set(key, value);
            }

            if (knee is null)
            {
                row.Set("deliveries_per_s", 0);
            }

            row.Set("reached_max_step", row.Values.ContainsKey("fail_deliveries_per_s") ? 0 : 1);
            row.Set("connect_failures", failed);
            row.Append(context.ResultsPath);
            await Task.Delay(1000).ConfigureAwait(false);
        }

        await ScenarioContext.CloseAllAsync([.. clients, control]).ConfigureAwait(false);
    }
}
