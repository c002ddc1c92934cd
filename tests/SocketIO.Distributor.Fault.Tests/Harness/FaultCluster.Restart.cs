using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>
/// Graceful restarts (rolling deploys): a process is stopped with SIGTERM by the test, then started again in its
/// place: a distributor on the same port (its clients know only that URL), a backend on a new one. The process it
/// replaces stays in <see cref="Retired"/>, so its log lines still count (losses, crashes).
/// </summary>
internal sealed partial class FaultCluster
{
    /// <summary>Over how long a distributor stopped with SIGTERM closes its sessions (<c>--drain-window</c>).</summary>
    public static readonly TimeSpan DrainWindow = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan PortRetry = TimeSpan.FromMilliseconds(200);
    private int _restarts;

    /// <summary>The processes a restart replaced (exited).</summary>
    public List<FaultProcess> Retired { get; } = [];

    /// <summary>
    /// Starts a new distributor on the port of the exited <c>Distributors[index]</c> (a port still held by the
    /// kernel is retried for a few seconds), waits until it listens and puts it in that place.
    /// </summary>
    public async Task<FaultProcess> RestartDistributorAsync(int index)
    {
        var old = Distributors[index];
        if (!old.HasExited)
        {
            throw new InvalidOperationException($"{old.Name} still runs: stop it before starting its successor.");
        }

        var url = Urls[index];
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            var process = LaunchDistributor($"distributor-{index + 1}.{Interlocked.Increment(ref _restarts)}", url);
            try
            {
                await process.WaitForLineAsync(Listening(), "'Now listening on'", StartTimeout);
                Retired.Add(old);
                Distributors[index] = process;
                return process;
            }
            catch (Xunit.Sdk.XunitException) when (process.HasExited && AddressInUse(process) && DateTime.UtcNow < deadline)
            {
                // The port is not free yet: try again in a moment (this attempt's stack trace is no crash of the product).
                _log.WriteLine($"{process.Name}: {url} not free yet, retrying");
                await process.DisposeAsync();
                await Task.Delay(PortRetry);
            }
        }
    }

    /// <summary>Starts a new backend replica in the place of the exited <c>Backends[index]</c> and waits until it listens.</summary>
    public async Task<FaultProcess> RestartBackendAsync(int index)
    {
        var old = Backends[index];
        if (!old.HasExited)
        {
            throw new InvalidOperationException($"{old.Name} still runs: stop it before starting its successor.");
        }

        var process = LaunchBackend($"backend-{index + 1}.{Interlocked.Increment(ref _restarts)}");
        var line = await process.WaitForLineAsync(Listening(), "'Now listening on'", StartTimeout);
        Retired.Add(old);
        Backends[index] = process;
        BackendUrls[index] = Listening().Match(line.Text).Groups[1].Value.TrimEnd('/');
        return process;
    }

    /// <summary>Polls <c>/readyz</c> of <c>Distributors[index]</c> until it answers 200.</summary>
    public async Task WaitUntilReadyAsync(int index, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var uri = new Uri(Urls[index] + "/readyz");
        await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(uri);
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            $"{Distributors[index].Name} answered 200 on /readyz",
            timeout,
            TimeSpan.FromMilliseconds(20));
    }

    private FaultProcess LaunchDistributor(string name, string url) => FaultProcess.Start(
        name,
        "dotnet",
        [
            Path.Combine(AppContext.BaseDirectory, "siod.dll"), "distributor",
            "--redis", Redis.ConnectionString, "--prefix", Prefix, "--namespaces", Namespace,
            "--urls", url, "--heartbeat", Milliseconds(Heartbeat), "--stats-interval", "2000",
            "--drain-window", Milliseconds(DrainWindow),
        ],
        ProcessEnvironment(),
        _log);

    private FaultProcess LaunchBackend(string name) => FaultProcess.Start(
        name,
        "dotnet",
        [
            Path.Combine(AppContext.BaseDirectory, "SocketIO.Distributor.BenchServer.dll"), "backend",
            "--redis", Redis.ConnectionString, "--prefix", Prefix, "--urls", "http://127.0.0.1:0",
            "--heartbeat", Milliseconds(Heartbeat),
        ],
        ProcessEnvironment(),
        _log);

    /// <summary>The loss counters the replaced backends printed when they stopped (<c>bench-final-lost ...</c>).</summary>
    private Dictionary<string, long> RetiredBackendLosses()
    {
        var losses = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var process in Retired)
        {
            if (process.FindLine(FinalLosses()) is not { } line)
            {
                continue;
            }

            foreach (Match counter in Counter().Matches(line.Text))
            {
                var name = counter.Groups[1].Value;
                losses[name] = losses.GetValueOrDefault(name) + long.Parse(counter.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        return losses;
    }

    private static bool AddressInUse(FaultProcess process) => process.FindLine(AddressInUseLine()) is not null;

    [GeneratedRegex(@"^bench-final-lost ")]
    private static partial Regex FinalLosses();

    [GeneratedRegex(@"(\w+)=(\d+)")]
    private static partial Regex Counter();

    [GeneratedRegex(@"(?i)address already in use")]
    private static partial Regex AddressInUseLine();
}
