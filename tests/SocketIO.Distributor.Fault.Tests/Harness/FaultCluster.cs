using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Cli;
using SocketIO.Distributor.Cli.Commands;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>
/// The deployment of the issue's targets, as real processes on loopback: a real redis-server, two
/// <c>siod distributor</c> processes and two replicas of the bench backend (<c>/bench</c>: echo with
/// ack, numbered broadcasts on request), all with short heartbeats (<see cref="Heartbeat"/>, a member
/// silent for three is dead) under a prefix of their own. Everything is killed on dispose.
/// </summary>
internal sealed partial class FaultCluster : IAsyncDisposable
{
    /// <summary>The heartbeat interval of every process; <see cref="MemberTimeout"/> is three of them.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(500);

    /// <summary>The namespace the bench backend serves.</summary>
    public const string Namespace = "/bench";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _log;

    private FaultCluster(FaultRedis redis, ITestOutputHelper log)
    {
        Redis = redis;
        _log = log;
    }

    /// <summary>A member silent for this long is dead.</summary>
    public static TimeSpan MemberTimeout => Heartbeat * 3;

    /// <summary>The Redis server.</summary>
    public FaultRedis Redis { get; }

    /// <summary>This cluster's channel prefix.</summary>
    public string Prefix { get; } = TestRedis.NewPrefix("fault");

    /// <summary>The distributor processes, in start order.</summary>
    public List<FaultProcess> Distributors { get; } = [];

    /// <summary>The base URL of each distributor, in the order of <see cref="Distributors"/>.</summary>
    public List<string> Urls { get; } = [];

    /// <summary>The backend replicas.</summary>
    public List<FaultProcess> Backends { get; } = [];

    /// <summary>The base URL of each backend's <c>/bench-stats</c> endpoint, in the order of <see cref="Backends"/>.</summary>
    public List<string> BackendUrls { get; } = [];

    /// <summary>Every process (Redis excepted), the ones a restart replaced included (their logs count).</summary>
    public IEnumerable<FaultProcess> Processes => Distributors.Concat(Backends).Concat(Retired);

    /// <summary>Starts Redis, <paramref name="backends"/> backend replicas and <paramref name="distributors"/> distributors, and waits until all are registered.</summary>
    public static async Task<FaultCluster> StartAsync(ITestOutputHelper log, int distributors = 2, int backends = 2)
    {
        var cluster = new FaultCluster(await FaultRedis.StartAsync(log), log);
        try
        {
            var starting = new List<Task>();
            for (var i = 0; i < backends; i++)
            {
                starting.Add(cluster.StartBackendAsync());
            }

            for (var i = 0; i < distributors; i++)
            {
                starting.Add(cluster.StartDistributorAsync());
            }

            await Task.WhenAll(starting);
            var status = await cluster.WaitForStatusAsync(s => s.Distributors == distributors && s.Backends == backends, $"{distributors} distributors and {backends} backends registered", StartTimeout);
            log.WriteLine($"cluster up: {status}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more <c>siod distributor</c> process and waits until it listens.</summary>
    public async Task<FaultProcess> StartDistributorAsync()
    {
        var name = $"distributor-{Distributors.Count + 1}";
        var process = LaunchDistributor(name, "http://127.0.0.1:0");
        lock (Distributors)
        {
            Distributors.Add(process);
            Urls.Add("");
        }

        var line = await process.WaitForLineAsync(Listening(), "'Now listening on'", StartTimeout);
        lock (Distributors)
        {
            Urls[Distributors.IndexOf(process)] = Listening().Match(line.Text).Groups[1].Value.TrimEnd('/');
        }

        return process;
    }

    /// <summary>Starts one more bench backend replica and waits until it listens (it registers within a heartbeat or so).</summary>
    public async Task<FaultProcess> StartBackendAsync()
    {
        string name;
        lock (Backends)
        {
            name = $"backend-{Backends.Count + 1}";
        }

        var process = LaunchBackend(name);
        lock (Backends)
        {
            Backends.Add(process);
            BackendUrls.Add("");
        }

        var line = await process.WaitForLineAsync(Listening(), "'Now listening on'", StartTimeout);
        lock (Backends)
        {
            BackendUrls[Backends.IndexOf(process)] = Listening().Match(line.Text).Groups[1].Value.TrimEnd('/');
        }

        return process;
    }

    /// <summary>The environment of the .NET processes: workstation GC, one log line per entry with a timestamp.</summary>
    public static Dictionary<string, string> ProcessEnvironment() => new()
    {
        ["DOTNET_gcServer"] = "0",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary><c>siod status --json</c> (run in-process: same code, no process start-up) summed up.</summary>
    public async Task<ClusterStatus> StatusAsync()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SiodCommand.RunAsync(["status", "--redis", Redis.ConnectionString, "--prefix", Prefix, "--json"], output, error);
        if (exitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"siod status --json failed with exit code {exitCode}: {error}");
        }

        var members = JsonSerializer.Deserialize(output.ToString(), MemberListJsonContext.Default.ListMemberInfo) ?? [];
        return new ClusterStatus(members);
    }

    /// <summary>Polls <c>siod status</c> until <paramref name="condition"/> holds; returns that status.</summary>
    public async Task<ClusterStatus> WaitForStatusAsync(Func<ClusterStatus, bool> condition, string because, TimeSpan? timeout = null)
    {
        ClusterStatus? last = null;
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    last = await StatusAsync();
                    return condition(last);
                },
                because,
                timeout);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} Last status: {last}");
        }

        return last!;
    }

    /// <summary>
    /// Losses the processes counted: from their logs (gaps in sequence numbers, events possibly lost,
    /// messages dropped in a Redis outage) and from each live backend's counters (<c>/bench-stats</c>).
    /// </summary>
    public async Task<LossCount> CountedLossesAsync()
    {
        var fromLogs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var process in Processes)
        {
            foreach (var (name, pattern, cumulative) in LossLines)
            {
                var counts = process.Lines.Select(l => pattern.Match(l.Text)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
                if (counts.Count > 0)
                {
                    fromLogs[name] = fromLogs.GetValueOrDefault(name) + (cumulative ? counts.Max() : counts.Sum());
                }
            }
        }

        // A backend a restart replaced printed its counters when it stopped.
        var fromBackends = RetiredBackendLosses();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < Backends.Count; i++)
        {
            if (Backends[i].HasExited || BackendUrls[i].Length == 0)
            {
                continue;
            }

            try
            {
                using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri(BackendUrls[i] + "/bench-stats")));
                if (stats.RootElement.TryGetProperty("lost", out var lost) && lost.ValueKind == JsonValueKind.Object)
                {
                    foreach (var counter in lost.EnumerateObject())
                    {
                        fromBackends[counter.Name] = fromBackends.GetValueOrDefault(counter.Name) + counter.Value.GetInt64();
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                _log.WriteLine($"could not read the counters of {Backends[i].Name}: {e.Message}");
            }
        }

        return new LossCount(fromLogs, fromBackends);
    }

    /// <summary>Log lines that report counted losses: (name, pattern with the count as group 1, whether the count is a running total).</summary>
    private static readonly (string Name, Regex Pattern, bool Cumulative)[] LossLines =
    [
        ("sequence gaps", NeverArrived(), false),
        ("events possibly lost", PossiblyLost(), false),
        ("dropped in a Redis outage", DroppedInOutage(), true),
        ("dropped at stop", DroppedAtStop(), false),
    ];

    /// <summary>Unhandled exceptions and stack traces any process printed.</summary>
    public IReadOnlyList<string> Crashes() =>
        [.. Processes.SelectMany(p => p.Lines.Where(l => Crash().IsMatch(l.Text)).Select(l => $"{p.Name}: {l.Text}"))];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var process in Processes)
        {
            await process.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }

    private static string Milliseconds(TimeSpan time) => ((int)time.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    // The distributors' gap count (a backend's own, "never reached inbox", is read from its counters instead).
    [GeneratedRegex(@"(\d+) message\(s\) from .* never arrived")]
    private static partial Regex NeverArrived();

    [GeneratedRegex(@"(\d+) client event\(s\) without ack .* possibly lost")]
    private static partial Regex PossiblyLost();

    [GeneratedRegex(@"(\d+) dropped in outages so far")]
    private static partial Regex DroppedInOutage();

    [GeneratedRegex(@"Stopping with (\d+) message\(s\) still held")]
    private static partial Regex DroppedAtStop();

    [GeneratedRegex(@"Unhandled exception|^\s+at \S+\(")]
    private static partial Regex Crash();
}
