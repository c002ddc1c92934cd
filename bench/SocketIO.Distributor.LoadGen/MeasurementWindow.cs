using System.Diagnostics;
using System.Globalization;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// One measured window: server CPU and context switches per process (all threads, from /proc), this
/// generator's CPU, and the machine's CPU outside both (interference). Start it, run the load, then
/// <see cref="WriteTo"/> a row with figures per unit of work (requests, deliveries).
/// </summary>
internal sealed class MeasurementWindow
{
    private readonly ServerSampler _sampler;
    private readonly Dictionary<string, double> _cpu;
    private readonly Dictionary<string, double> _kernel;
    private readonly Dictionary<string, Dictionary<int, long>> _switches;
    private readonly SelfCpu _self = new();
    private readonly double _machineBusyUs;
    private readonly long _start = Stopwatch.GetTimestamp();

    public MeasurementWindow(ServerSampler sampler)
    {
        _sampler = sampler;
        _cpu = sampler.CpuMicroseconds();
        _kernel = sampler.CpuMicroseconds(kernelOnly: true);
        _switches = ContextSwitches(sampler.Servers);
        _machineBusyUs = MachineBusyMicroseconds();
    }

    /// <summary>Seconds since the window started.</summary>
    public double Elapsed => Stopwatch.GetElapsedTime(_start).TotalSeconds;

    /// <summary>
    /// Sets server_cores, server_cpu_us_per_{unit}, server_kernel_us_per_{unit} (stime only), cpu_us_per_{unit}.{process}, ctx_switches_per_{unit}
    /// (and per process), loadgen_cores and other_cores (the machine's busy time minus servers and
    /// generator: the interference) on <paramref name="row"/>. Returns the server CPU in µs.
    /// </summary>
    public double WriteTo(ResultRow row, string unit, double count)
    {
        var elapsed = Elapsed;
        var cpuAfter = _sampler.CpuMicroseconds();
        var switchesAfter = ContextSwitches(_sampler.Servers);
        var machineUs = MachineBusyMicroseconds() - _machineBusyUs;
        var serverUs = ServerSampler.Sum(cpuAfter, _cpu);
        var selfCores = _self.Cores();
        double Per(double v) => count <= 0 ? double.NaN : v / count;

        row.Set("server_cores", serverUs / 1e6 / elapsed);
        row.Set($"server_cpu_us_per_{unit}", Per(serverUs));
        var kernelAfter = _sampler.CpuMicroseconds(kernelOnly: true);
        row.Set($"server_kernel_us_per_{unit}", Per(ServerSampler.Sum(kernelAfter, _kernel)));
        long switches = 0;
        foreach (var (name, us) in cpuAfter)
        {
            row.Set($"cpu_us_per_{unit}.{name}", Per(us - _cpu[name]));
            row.Set($"kernel_us_per_{unit}.{name}", Per(kernelAfter[name] - _kernel[name]));
            var delta = Delta(switchesAfter[name], _switches[name]);
            switches += delta;
            row.Set($"ctx_per_{unit}.{name}", Per(delta));
        }

        row.Set($"ctx_switches_per_{unit}", Per(switches));
        row.Set("loadgen_cores", selfCores);
        row.Set("other_cores", Math.Max(0, (machineUs - serverUs) / 1e6 / elapsed - selfCores));
        return serverUs;
    }

    /// <summary>
    /// Context switches in the window: per thread, its count now minus its count at the start (0 for a
    /// thread born meanwhile). A thread that ended meanwhile is missing from "now", so its switches in
    /// the window are not counted (the thread pool retires idle threads): an undercount, never negative.
    /// </summary>
    private static long Delta(Dictionary<int, long> after, Dictionary<int, long> before) =>
        after.Sum(kv => kv.Value - before.GetValueOrDefault(kv.Key));

    /// <summary>voluntary + nonvoluntary context switches of every thread of each server process, by thread id.</summary>
    public static Dictionary<string, Dictionary<int, long>> ContextSwitches(IReadOnlyList<ServerProcess> servers)
    {
        var result = new Dictionary<string, Dictionary<int, long>>();
        foreach (var server in servers)
        {
            var threads = new Dictionary<int, long>();
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{server.Pid}/task"))
                {
                    try
                    {
                        long total = 0;
                        foreach (var line in File.ReadLines(task + "/status"))
                        {
                            if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                                || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                            {
                                total += long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
                            }
                        }

                        threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = total;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // A thread that ended meanwhile.
                    }
                }
            }
            catch (DirectoryNotFoundException)
            {
            }

            result[server.Name] = threads;
        }

        return result;
    }

    /// <summary>The machine's busy CPU time (all cores, everything but idle and iowait), from /proc/stat, in µs.</summary>
    public static double MachineBusyMicroseconds()
    {
        var cpu = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var fields = cpu.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();

        // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields.Length > 7 ? fields[7] : 0);
        return busy * 1_000_000.0 / 100;
    }
}
