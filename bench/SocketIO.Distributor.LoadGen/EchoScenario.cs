using System.Diagnostics;
using System.Text;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// N clients over the servers, K acked <c>echo</c> requests in flight each, a fixed payload.
/// Every ack is matched by id and must carry the payload back; unanswered requests are reported.
/// </summary>
internal static class EchoScenario
{
    private const int Slots = 1024; // ids in flight per client are < K <= Slots

    public static async Task RunAsync(ScenarioContext context)
    {
        var clients = context.Int("clients", 200);
        var inflight = Math.Clamp(context.Int("inflight", 4), 1, Slots);
        var seconds = context.Double("duration", 10);
        var warmup = context.Double("warmup", 2);
        var maxRequests = context.Int("max-requests", 50_000_000);
        var payload = ScenarioContext.Padded("p", context.Int("payload", 64));
        var payloadBytes = Encoding.UTF8.GetBytes(payload);
        var argsJson = "\"" + payload + "\"";

        var latency = new LatencyRecorder(8_000_000);
        long completed = 0, bad = 0, sent = 0;
        var measuring = false;
        var stopSending = false;
        var sentAt = new long[clients * Slots];
        var slotId = new long[clients * Slots];
        var nextId = new long[clients];

        async ValueTask SendNextAsync(BenchClient client)
        {
            if (Volatile.Read(ref stopSending) || Interlocked.Increment(ref sent) > maxRequests)
            {
                return;
            }

            var id = Interlocked.Increment(ref nextId[client.Index]);
            var slot = (client.Index * Slots) + (int)(id % Slots);
            slotId[slot] = id;
            sentAt[slot] = Stopwatch.GetTimestamp();
            await client.EmitAsync("echo", id, argsJson).ConfigureAwait(false);
        }

        void OnInbound(BenchClient client, InboundKind kind, long id, string? name, ReadOnlyMemory<byte> message)
        {
            if (kind != InboundKind.Ack)
            {
                return;
            }

            var slot = (client.Index * Slots) + (int)(id % Slots);
            if (id < 0 || slotId[slot] != id || message.Span.IndexOf(payloadBytes) < 0)
            {
                Interlocked.Increment(ref bad);
                return;
            }

            slotId[slot] = 0;
            if (Volatile.Read(ref measuring))
            {
                latency.Record(sentAt[slot]);
                Interlocked.Increment(ref completed);
            }

            // Next request from the receive loop: one writer per client at a time.
            _ = SendNextAsync(client).AsTask();
        }

        var (connected, connectRate, failed) = await context.ConnectAsync(clients, "bench", 100, c => c.Inbound = OnInbound).ConfigureAwait(false);
        Console.WriteLine($"  echo: {connected.Count} clients connected ({connectRate:F0}/s), {inflight} in flight each");
        foreach (var client in connected)
        {
            for (var k = 0; k < inflight; k++)
            {
                await SendNextAsync(client).ConfigureAwait(false);
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(warmup)).ConfigureAwait(false);
        var cpuBefore = context.Sampler.CpuMicroseconds();
        var self = new SelfCpu();
        var window = new MeasurementWindow(context.Sampler);
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        Volatile.Write(ref measuring, false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpuAfter = context.Sampler.CpuMicroseconds();
        var selfCores = self.Cores();
        var done = Interlocked.Read(ref completed);
        var row = new ResultRow { Target = context.Target, Scenario = "echo" };
        window.WriteTo(row, "req", done);
        Volatile.Write(ref stopSending, true);

        // Drain: every request sent must be answered within 5 s.
        var drainUntil = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
        int Outstanding() => slotId.Count(id => id != 0);
        while (Outstanding() > 0 && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        var unanswered = Outstanding();
        var (p50, p99, p999, max) = latency.Percentiles();
        var serverCpu = ServerSampler.Sum(cpuAfter, cpuBefore);
        row.Set("clients", connected.Count);
        row.Set("inflight", inflight);
        row.Set("connect_failures", failed);
        row.Set("requests_per_s", done / elapsed);
        row.Set("p50_ms", p50);
        row.Set("p99_ms", p99);
        row.Set("p999_ms", p999);
        row.Set("max_ms", max);
        row.Set("server_cpu_us_per_req", done == 0 ? double.NaN : serverCpu / done);
        row.Set("server_cores", serverCpu / 1e6 / elapsed);
        foreach (var (name, us) in cpuAfter)
        {
            row.Set("cpu_us_per_req." + name, done == 0 ? double.NaN : (us - cpuBefore[name]) / done);
        }

        row.Set("loadgen_cores", selfCores);
        row.Set("unanswered", unanswered);
        row.Set("bad_acks", Interlocked.Read(ref bad));
        row.Set("broken_connections", connected.Count(c => c.Failure is not null));
        row.Append(context.ResultsPath);
        Console.WriteLine($"  echo: {done / elapsed:F0} req/s p50 {p50:F2} ms p99 {p99:F2} ms p999 {p999:F2} ms, server CPU {serverCpu / Math.Max(1, done):F1} us/req, loadgen {selfCores:F2} cores, unanswered {unanswered}, bad {bad}");
        await ScenarioContext.CloseAllAsync(connected).ConfigureAwait(false);
    }
}
