using System.Diagnostics;
using System.Globalization;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// The demo chat: N clients on <c>/chat</c>; clients take turns calling <c>postMessage</c> (acked)
/// at an aggregate rate, and every client receives every <c>chatMessage</c>. Measures the ack
/// latency, the delivery latency (timestamp in the message text), losses, and server CPU.
/// </summary>
internal static class MixedScenario
{
    public static async Task RunAsync(ScenarioContext context)
    {
        var count = context.Int("clients", 2000);
        var postRate = context.Double("post-rate", 20);
        var seconds = context.Double("duration", 10);

        var received = new long[count];
        var ackAt = new long[(int)Math.Ceiling(postRate * seconds * 2) + 16];
        long acks = 0, badAcks = 0, deliveries = 0;
        var ackLatency = new LatencyRecorder(1_000_000);
        var deliveryLatency = new LatencyRecorder(8_000_000);

        void OnInbound(BenchClient client, InboundKind kind, long id, string? name, ReadOnlyMemory<byte> message)
        {
            var span = message.Span;
            if (kind == InboundKind.Ack)
            {
                if (id > 0 && id < ackAt.Length && ackAt[id] != 0 && span.IndexOf("\"ok\""u8) >= 0)
                {
                    ackLatency.Record(ackAt[id]);
                    ackAt[id] = 0;
                    Interlocked.Increment(ref acks);
                }
                else
                {
                    Interlocked.Increment(ref badAcks);
                }

                return;
            }

            if (name == "chatMessage" && client.Index < count)
            {
                var t = ScenarioContext.ReadField(span, "t="u8);
                if (t > 0)
                {
                    Interlocked.Increment(ref received[client.Index]);
                    Interlocked.Increment(ref deliveries);
                    deliveryLatency.Record(t);
                }
            }
        }

        var (clients, connectRate, failed) = await context.ConnectAsync(count, "chat", 100, c => c.Inbound = OnInbound).ConfigureAwait(false);
        Console.WriteLine($"  mixed: {clients.Count} chat clients ({connectRate:F0}/s), posting {postRate} msg/s for {seconds}s");
        await Task.Delay(1000).ConfigureAwait(false);
        Array.Clear(received);
        Interlocked.Exchange(ref deliveries, 0);
        deliveryLatency.Reset();

        var cpuBefore = context.Sampler.CpuMicroseconds();
        var self = new SelfCpu();
        var start = Stopwatch.GetTimestamp();
        var total = (long)Math.Round(postRate * seconds);
        long posted = 0;
        while (posted < total && Stopwatch.GetElapsedTime(start).TotalSeconds < seconds * 2)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * postRate) + 1);
            while (posted < due)
            {
                var id = posted + 1;
                var client = clients[(int)(posted % clients.Count)];
                ackAt[id] = Stopwatch.GetTimestamp();
                var text = string.Create(CultureInfo.InvariantCulture, $"t={ackAt[id]};s={id}; hello from {client.Index}");
                await client.EmitAsync("postMessage", id, "{\"message\":\"" + text + "\",\"channel\":\"en\"}").ConfigureAwait(false);
                posted++;
            }

            await Task.Delay(2).ConfigureAwait(false);
        }

        var postSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var expected = posted * clients.Count;
        var drainUntil = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
        while ((Interlocked.Read(ref deliveries) < expected || Interlocked.Read(ref acks) < posted) && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = ServerSampler.Sum(context.Sampler.CpuMicroseconds(), cpuBefore);
        var delivered = Interlocked.Read(ref deliveries);
        var (a50, a99, a999, _) = ackLatency.Percentiles();
        var (d50, d99, d999, _) = deliveryLatency.Percentiles();
        var row = new ResultRow { Target = context.Target, Scenario = "mixed" };
        row.Set("clients", clients.Count);
        row.Set("connect_failures", failed);
        row.Set("posts_per_s", posted / postSeconds);
        row.Set("deliveries_per_s", delivered / postSeconds);
        row.Set("ack_p50_ms", a50);
        row.Set("ack_p99_ms", a99);
        row.Set("ack_p999_ms", a999);
        row.Set("delivery_p50_ms", d50);
        row.Set("delivery_p99_ms", d99);
        row.Set("delivery_p999_ms", d999);
        row.Set("lost", Math.Max(0, expected - delivered));
        row.Set("unacked", posted - Interlocked.Read(ref acks));
        row.Set("bad_acks", Interlocked.Read(ref badAcks));
        row.Set("server_cores", cpu / 1e6 / elapsed);
        row.Set("server_cpu_us_per_delivery", delivered == 0 ? double.NaN : cpu / delivered);
        row.Set("loadgen_cores", self.Cores());
        row.Set("broken_connections", clients.Count(c => c.Failure is not null));
        row.Append(context.ResultsPath);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  mixed: {posted / postSeconds:F1} posts/s, {delivered / postSeconds:F0} deliveries/s, ack p99 {a99:F1} ms, delivery p99 {d99:F1} ms, lost {Math.Max(0, expected - delivered)}, unacked {posted - Interlocked.Read(ref acks)}, server {cpu / 1e6 / elapsed:F2} cores"));
        await ScenarioContext.CloseAllAsync(clients).ConfigureAwait(false);
    }
}
