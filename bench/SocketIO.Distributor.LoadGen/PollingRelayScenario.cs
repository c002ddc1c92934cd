using System.Diagnostics;
using System.Net;
using System.Text;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// What a relayed polling request costs: sessions opened on the first distributor (which holds them)
/// make the same requests through it (local) and through the second one (relayed over the bus to the
/// holder), in alternating rounds. Two round trips are timed: an acked <c>echo</c> as a polling client
/// sees it (POST the event, GET until the ack is in), and a bare POST of a noop (the relay alone).
/// Usage: <c>LoadGen run polling-relay --urls holder,other [--clients 4] [--requests 300] [--rounds 3]</c>.
/// </summary>
internal static class PollingRelayScenario
{
    private const char Separator = '\u001e';

    public static async Task RunAsync(ScenarioContext context)
    {
        if (context.Servers.Count < 2)
        {
            throw new ArgumentException("polling-relay needs two distributors: --urls <holder>,<other>");
        }

        var sessions = Math.Clamp(context.Int("clients", 4), 1, 64);
        var requests = Math.Clamp(context.Int("requests", 300), 1, 100_000);
        var rounds = Math.Clamp(context.Int("rounds", 3), 1, 20);
        var payload = ScenarioContext.Padded("p", context.Int("payload", 64));
        var (holder, other) = (context.Servers[0], context.Servers[1]);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 * sessions }) { Timeout = TimeSpan.FromSeconds(30) };
        var clients = await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => PollingSession.OpenAsync(http, holder, context.PathOf("bench"))));

        // Warm-up: both paths, not measured.
        await Task.WhenAll(clients.Select(c => c.RunAsync(holder, Math.Min(requests, 50), payload, null, null)));
        await Task.WhenAll(clients.Select(c => c.RunAsync(other, Math.Min(requests, 50), payload, null, null)));

        var echo = new Dictionary<string, List<double>> { ["local"] = [], ["relayed"] = [] };
        var noop = new Dictionary<string, List<double>> { ["local"] = [], ["relayed"] = [] };
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, via) in new[] { ("local", holder), ("relayed", other) })
            {
                await Task.WhenAll(clients.Select(c => c.RunAsync(via, requests, payload, echo[name], noop[name])));
            }
        }

        var row = new ResultRow { Target = context.Target, Scenario = "polling-relay", Variant = $"{sessions} sessions" };
        foreach (var (kind, samples) in new[] { ("echo", echo), ("noop", noop) })
        {
            var (local50, local99) = Percentiles(samples["local"]);
            var (relayed50, relayed99) = Percentiles(samples["relayed"]);
            row.Set($"{kind}_local_p50_us", local50);
            row.Set($"{kind}_local_p99_us", local99);
            row.Set($"{kind}_relayed_p50_us", relayed50);
            row.Set($"{kind}_relayed_p99_us", relayed99);
            row.Set($"{kind}_ratio_p50", relayed50 / local50);
            Console.WriteLine(
                $"polling-relay {kind}: local p50 {local50:0} us p99 {local99:0} us; relayed p50 {relayed50:0} us p99 {relayed99:0} us; " +
                $"relayed/local p50 {relayed50 / local50:0.00}x ({samples["local"].Count} + {samples["relayed"].Count} samples, {sessions} sessions)");
        }

        row.Append(context.ResultsPath);
    }

    private static (double P50, double P99) Percentiles(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return (At(0.5), At(0.99));
    }

    /// <summary>One Engine.IO v4 polling session, connected to the namespace, sending one request at a time.</summary>
    private sealed class PollingSession(HttpClient http, Uri holder, string sid, string nsp)
    {
        private long _nextId;

        public static async Task<PollingSession> OpenAsync(HttpClient http, Uri holder, string nsp)
        {
            var open = await http.GetStringAsync(new Uri(holder, "/socket.io/?EIO=4&transport=polling")).ConfigureAwait(false);
            var start = open.IndexOf("\"sid\":\"", StringComparison.Ordinal) + 7;
            var sid = open[start..open.IndexOf('"', start)];
            var session = new PollingSession(http, holder, sid, nsp);
            await session.PostAsync(holder, $"40{nsp},").ConfigureAwait(false);
            await session.GetUntilAsync(holder, $"40{nsp},{{").ConfigureAwait(false);
            return session;
        }

        public async Task RunAsync(Uri via, int count, string payload, List<double>? echo, List<double>? noop)
        {
            for (var i = 0; i < count; i++)
            {
                var id = ++_nextId;
                var started = Stopwatch.GetTimestamp();
                await PostAsync(via, $"42{nsp},{id}[\"echo\",\"{payload}\"]").ConfigureAwait(false);
                await GetUntilAsync(via, $"43{nsp},{id}[").ConfigureAwait(false);
                Record(echo, started);

                started = Stopwatch.GetTimestamp();
                await PostAsync(via, "6").ConfigureAwait(false);
                Record(noop, started);
            }
        }

        private static void Record(List<double>? samples, long started)
        {
            if (samples is null)
            {
                return;
            }

            var us = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            lock (samples)
            {
                samples.Add(us);
            }
        }

        private Uri Url(Uri via) => new(via, $"/socket.io/?EIO=4&transport=polling&sid={Uri.EscapeDataString(sid)}");

        private async Task PostAsync(Uri via, string payload)
        {
            using var response = await http.PostAsync(Url(via), new StringContent(payload, Encoding.UTF8, "text/plain")).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK || body != "ok")
            {
                throw new InvalidOperationException($"POST through {via} for {sid} (held by {holder}): {(int)response.StatusCode} {body}");
            }
        }

        private async Task GetUntilAsync(Uri via, string expected)
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                using var response = await http.GetAsync(Url(via)).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"GET through {via} for {sid}: {(int)response.StatusCode} {body}");
                }

                if (body.Split(Separator).Contains("2"))
                {
                    await PostAsync(via, "3").ConfigureAwait(false);
                }

                if (body.Contains(expected, StringComparison.Ordinal))
                {
                    return;
                }
            }

            throw new TimeoutException($"'{expected}' did not come within 30 s through {via}");
        }
    }
}
