using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SocketIO.Distributor.LoadGen;

/// <summary>A server process under test: its pid (for /proc) and, optionally, a stats URL (for its GC heap).</summary>
internal sealed record ServerProcess(string Name, int Pid, Uri? StatsUrl);

/// <summary>CPU time and memory of the server processes, read from /proc.</summary>
internal sealed class ServerSampler(IReadOnlyList<ServerProcess> servers)
{
    private static readonly long TicksPerSecond = 100; // USER_HZ on Linux.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public IReadOnlyList<ServerProcess> Servers => servers;

    /// <summary>utime + stime of each server (stime alone: the kernel's share, with <paramref name="kernelOnly"/>), in microseconds.</summary>
    public Dictionary<string, double> CpuMicroseconds(bool kernelOnly = false)
    {
        var result = new Dictionary<string, double>();
        foreach (var server in servers)
        {
            var stat = File.ReadAllText($"/proc/{server.Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields after "(comm) ": state is [0], utime is field 14 overall → [11], stime → [12].
            var ticks = (kernelOnly ? 0 : long.Parse(fields[11], CultureInfo.InvariantCulture)) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            result[server.Name] = ticks * 1_000_000.0 / TicksPerSecond;
        }

        return result;
    }

    /// <summary>Resident set size of each server, in bytes.</summary>
    public Dictionary<string, long> Rss()
    {
        var result = new Dictionary<string, long>();
        foreach (var server in servers)
        {
            var line = File.ReadLines($"/proc/{server.Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            result[server.Name] = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }

        return result;
    }

    /// <summary>Managed heap of each server that has a stats URL, after a full GC there.</summary>
    public async Task<Dictionary<string, long>> HeapAsync(bool collect)
    {
        var result = new Dictionary<string, long>();
        foreach (var server in servers.Where(s => s.StatsUrl is not null))
        {
            try
            {
                var json = await Http.GetFromJsonAsync<JsonObject>(new Uri(server.StatsUrl!, collect ? "?gc=1" : string.Empty)).ConfigureAwait(false);
                result[server.Name] = json?["heap"]?.GetValue<long>() ?? -1;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                result[server.Name] = -1;
            }
        }

        return result;
    }

    public static double Sum(Dictionary<string, double> after, Dictionary<string, double> before) =>
        after.Sum(kv => kv.Value - before[kv.Key]);
}

/// <summary>This process's own CPU share, to show the load generator is not the bottleneck.</summary>
internal sealed class SelfCpu
{
    private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _start = Stopwatch.GetTimestamp();

    /// <summary>CPU time used since creation as a share of one core (1.0 = one core busy).</summary>
    public double Cores()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
        var wall = Stopwatch.GetElapsedTime(_start);
        return wall.TotalSeconds <= 0 ? 0 : cpu.TotalSeconds / wall.TotalSeconds;
    }
}

/// <summary>A bounded, lock-free store of latency samples (microseconds); percentiles by sorting.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly float[] _samples = new float[capacity];
    private long _count;

    public long Count => Math.Min(Interlocked.Read(ref _count), _samples.Length);

    public void Record(long startTimestamp) =>
        RecordMicroseconds(Stopwatch.GetElapsedTime(startTimestamp).Ticks / 10.0);

    public void RecordMicroseconds(double us)
    {
        var i = Interlocked.Increment(ref _count) - 1;
        if (i < _samples.Length)
        {
            _samples[i] = (float)us;
        }
    }

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    /// <summary>p50, p99, p999 and max in milliseconds.</summary>
    public (double P50, double P99, double P999, double Max) Percentiles()
    {
        var n = (int)Count;
        if (n == 0)
        {
            return (double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var copy = _samples.AsSpan(0, n).ToArray();
        Array.Sort(copy);
        double At(double q) => copy[Math.Min(n - 1, (int)Math.Ceiling(q * n) - 1)] / 1000.0;
        return (At(0.50), At(0.99), At(0.999), copy[n - 1] / 1000.0);
    }
}

/// <summary>One measured row, appended as a JSON line to the results file.</summary>
internal sealed class ResultRow
{
    public required string Target { get; init; }

    public required string Scenario { get; init; }

    public string Variant { get; init; } = string.Empty;

    /// <summary>Which of the interleaved runs this row belongs to (bench/run --runs).</summary>
    public int Run { get; init; } = ResultTags.Run;

    /// <summary>The load generator: dotnet (this one) or node (bench/nodegen).</summary>
    public string Generator { get; init; } = "dotnet";

    public SortedDictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

    public List<string> Notes { get; } = [];

    public void Set(string key, double value) => Values[key] = Math.Round(value, 3);

    public void Append(string path)
    {
        var line = JsonSerializer.Serialize(this, ResultJson.Options);
        File.AppendAllText(path, line + Environment.NewLine);
    }
}

/// <summary>Tags every row of this process carries (from --run).</summary>
internal static class ResultTags
{
    public static int Run { get; set; } = 1;
}

internal static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
