using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SocketIO.Distributor.LoadGen;

/// <summary>The command line of one scenario run, and what every scenario shares.</summary>
internal sealed class ScenarioContext
{
    private readonly Dictionary<string, string> _args;

    public ScenarioContext(Dictionary<string, string> args)
    {
        _args = args;
        Target = Get("target", "ours");
        Protocol = Get("protocol", Target == "signalr" ? "signalr" : "socketio");
        Servers = [.. Get("urls", "http://127.0.0.1:8001").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u))];
        ResultsPath = Get("results", "results.jsonl");
        Sampler = new ServerSampler([.. Get("pids", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseServer)]);
    }

    public string Target { get; }

    public string Protocol { get; }

    public IReadOnlyList<Uri> Servers { get; }

    public string ResultsPath { get; }

    public ServerSampler Sampler { get; }

    public string Get(string name, string fallback) => _args.TryGetValue(name, out var value) ? value : fallback;

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public double Double(string name, double fallback) => double.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    /// <summary>The namespace (Socket.IO) or hub path (SignalR) of a logical app ("bench" or "chat").</summary>
    public string PathOf(string app) => "/" + app;

    public BenchClient NewClient(int index) =>
        Protocol == "signalr" ? new SignalRBenchClient(index) : new SocketIOBenchClient(index);

    /// <summary>
    /// Connects <paramref name="count"/> clients round-robin over the servers, at most
    /// <paramref name="parallel"/> at a time, each within 30 s. Returns the clients and the connect rate.
    /// </summary>
    public async Task<(List<BenchClient> Clients, double PerSecond, int Failed)> ConnectAsync(
        int count, string app, int parallel, Action<BenchClient>? configure = null, int firstIndex = 0)
    {
        var clients = new BenchClient?[count];
        var failed = 0;
        string? firstError = null;
        using var gate = new SemaphoreSlim(parallel);
        var start = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            var client = NewClient(firstIndex + i);
            configure?.Invoke(client);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await client.ConnectAsync(Servers[(firstIndex + i) % Servers.Count], PathOf(app), timeout.Token).ConfigureAwait(false);
                clients[i] = client;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref failed);
                firstError ??= ex.GetType().Name + ": " + ex.Message;
                await client.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (firstError is not null)
        {
            Console.Error.WriteLine($"  {failed} of {count} connections failed; first: {firstError}");
        }

        var connected = clients.Where(c => c is not null).Select(c => c!).ToList();
        return (connected, connected.Count / seconds, failed);
    }

    public static async Task CloseAllAsync(IEnumerable<BenchClient> clients)
    {
        foreach (var chunk in clients.Chunk(500))
        {
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    /// <summary>A JSON string of exactly <paramref name="bytes"/> characters (ASCII) after its header.</summary>
    public static string Padded(string header, int bytes)
    {
        var builder = new StringBuilder(header, Math.Max(bytes, header.Length));
        while (builder.Length < bytes)
        {
            builder.Append('x');
        }

        return builder.ToString();
    }

    /// <summary>Reads the integer after <paramref name="key"/> (e.g. <c>t=</c>) in a message, or -1.</summary>
    public static long ReadField(ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        var at = message.IndexOf(key);
        if (at < 0)
        {
            return -1;
        }

        long value = 0;
        var digits = 0;
        for (var i = at + key.Length; i < message.Length && message[i] is >= (byte)'0' and <= (byte)'9'; i++, digits++)
        {
            value = (value * 10) + (message[i] - '0');
        }

        return digits == 0 ? -1 : value;
    }

    private static ServerProcess ParseServer(string spec)
    {
        // name=pid or name=pid@statsUrl
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        var rest = spec[(eq + 1)..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var pid = int.Parse(at < 0 ? rest : rest[..at], CultureInfo.InvariantCulture);
        return new ServerProcess(spec[..eq], pid, at < 0 ? null : new Uri(rest[(at + 1)..]));
    }
}
