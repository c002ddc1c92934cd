using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// Light load: N clients, each either one acked <c>echo</c> at a time back to back (<c>--rate 0</c>:
/// the 1 × 1 shape) or <c>--rate R</c> acked echoes per second on a fixed schedule (10 × 10/s).
/// Reports server CPU µs per request, p50/p99 latency and context switches per request (every thread
/// of every server process, from /proc). Bounded by <c>--duration</c> and <c>--max-requests</c>.
/// </summary>
internal static class LightScenario
{
    public static async Task RunAsync(ScenarioContext context)
    {
        var clients = context.Int("clients", 1);
        var rate = context.Double("rate", 0);
        var seconds = context.Double("duration", 10);
        var warmup = context.Double("warmup", 2);
        var maxRequests = context.Int("max-requests", 5_000_000);
        var payload = ScenarioContext.Padded("p", context.Int("payload", 64));
        var argsJson = "\"" + payload + "\"";
        var variant = context.Get("variant", rate <= 0 ? $"{clients}x1" : string.Create(CultureInfo.InvariantCulture, $"{clients}x{rate:0}/s"));

        var latency = new LatencyRecorder(2_000_000);
        var pending = new ConcurrentDictionary<long, long>();
        long completed = 0, sent = 0, nextId = 0, bad = 0;
        var measuring = false;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds + 30));

        Exception? sendFailure = null;
        var end = long.MaxValue; // set once every client is connected, before the first request
        bool Running() => Stopwatch.GetTimestamp() < end && Interlocked.Read(ref sent) < maxRequests && !stop.IsCancellationRequested;

        void OnInbound(BenchClient client, InboundKind kind, long id, string? name, ReadOnlyMemory<byte> message)
        {
            if (kind != InboundKind.Ack)
            {
                return;
            }

            if (!pending.TryRemove(id, out var at))
            {
                Interlocked.Increment(ref bad);
                return;
            }

            if (Volatile.Read(ref measuring))
            {
                latency.Record(at);
                Interlocked.Increment(ref completed);
            }

            if (rate <= 0 && Running())
            {
                // 1 × 1: the next request goes out from the answer's callback, as the Node generator does, not
                // from another task woken for it: the generator adds no thread hop of its own between requests.
                _ = SendCapturingAsync(client);
            }
        }

        var (connected, _, failed) = await context.ConnectAsync(clients, "bench", 10, c =>
        {
            c.Inbound = OnInbound;
        }).ConfigureAwait(false);
        Console.WriteLine($"  light {variant}: {connected.Count} clients connected");

        async Task SendAsync(BenchClient client)
        {
            var id = Interlocked.Increment(ref nextId);
            pending[id] = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref sent);
            await client.EmitAsync("echo", id, argsJson).ConfigureAwait(false);
        }

        async Task SendCapturingAsync(BenchClient client)
        {
            try
            {
                await SendAsync(client).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref sendFailure, ex, null);
            }
        }

        end = Stopwatch.GetTimestamp() + (long)((warmup + seconds) * Stopwatch.Frequency);

        async Task ClientLoopAsync(BenchClient client)
        {
            if (rate <= 0)
            {
                // The first request; each answer sends the next (OnInbound) until the window ends. One that is
                // never answered stops the chain: it is counted as unanswered below.
                await SendAsync(client).ConfigureAwait(false);
                while (Running())
                {
                    await Task.Delay(100, stop.Token).ConfigureAwait(false);
                }

                return;
            }

            // Open loop on a fixed schedule, the clients' phases spread over one period.
            var period = Stopwatch.Frequency / rate;
            var next = Stopwatch.GetTimestamp() + (long)(period * client.Index / Math.Max(1, clients));
            while (Running())
            {
                var wait = next - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), stop.Token).ConfigureAwait(false);
                }

                await SendAsync(client).ConfigureAwait(false);
                next += (long)period;
            }
        }

        var loops = connected.Select(c => Task.Run(() => ClientLoopAsync(c))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(warmup)).ConfigureAwait(false);
        var window = new MeasurementWindow(context.Sampler);
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        Volatile.Write(ref measuring, false);
        var done = Interlocked.Read(ref completed);
        var row = new ResultRow { Target = context.Target, Scenario = "light", Variant = variant };
        var serverUs = window.WriteTo(row, "req", done);
        var elapsed = window.Elapsed;
        await Task.WhenAll(loops).ConfigureAwait(false);
        var drainUntil = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
        while (!pending.IsEmpty && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        var (p50, p99, p999, max) = latency.Percentiles();
        row.Set("clients", connected.Count);
        row.Set("connect_failures", failed);
        row.Set("requests_per_s", done / elapsed);
        row.Set("p50_ms", p50);
        row.Set("p99_ms", p99);
        row.Set("p999_ms", p999);
        row.Set("max_ms", max);
        row.Set("unanswered", pending.Count);
        row.Set("bad_acks", Interlocked.Read(ref bad));
        row.Append(context.ResultsPath);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  light {variant}: {done / elapsed:F0} req/s, p50 {p50:F3} ms p99 {p99:F3} ms, server CPU {serverUs / Math.Max(1, done):F1} us/req, {row.Values["ctx_switches_per_req"]:F1} ctx switches/req, loadgen {row.Values["loadgen_cores"]:F2} other {row.Values["other_cores"]:F2} cores, unanswered {pending.Count}"));
        await ScenarioContext.CloseAllAsync(connected).ConfigureAwait(false);
        if (sendFailure is not null)
        {
            throw new InvalidOperationException("a request could not be sent", sendFailure);
        }
    }
}
