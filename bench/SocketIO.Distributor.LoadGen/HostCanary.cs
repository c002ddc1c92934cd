using System.Runtime.InteropServices;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// The host's speed while a measurement runs. This machine is a virtual one: its two cores can run slower
/// for seconds at a time (another tenant on the same physical core, the host's clock), which no counter
/// inside the guest shows (steal time stays 0). Every 250 ms the canary times a fixed piece of integer work
/// in its own thread's CPU time, which waiting for a core does not inflate but a slower core does. Its
/// median over a measurement, compared across the measurements of one bench run, tells a slow run on a
/// slow host from a slow run of the code under test. It costs well under 1 % of a core, alike for every setup.
/// </summary>
internal static class HostCanary
{
    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID
    private const int Rounds = 4_000_000;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// canary --results F --target T --scenario S [--generator G] [--run N] [--seconds max]: samples until
    /// SIGTERM (or the limit), then appends one row: scenario "canary", variant S, values canary_ns (median
    /// ns per round), canary_ns_p10 / canary_ns_p90 and samples.
    /// </summary>
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var seconds = double.Parse(options.GetValueOrDefault("seconds", "1200"), System.Globalization.CultureInfo.InvariantCulture);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        var samples = new List<double>();
        await Task.Run(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    samples.Add(TimeOneBatch());
                    stop.Token.WaitHandle.WaitOne(Interval);
                }
            },
            CancellationToken.None).ConfigureAwait(false);

        // The first samples run before the JIT has optimised the loop.
        var steady = samples.Skip(Math.Min(4, samples.Count / 2)).Order().ToArray();
        var row = new ResultRow
        {
            Target = options.GetValueOrDefault("target", "machine"),
            Scenario = "canary",
            Variant = options.GetValueOrDefault("scenario", string.Empty),
            Run = int.Parse(options.GetValueOrDefault("run", "1"), System.Globalization.CultureInfo.InvariantCulture),
            Generator = options.GetValueOrDefault("generator", "dotnet"),
        };
        if (steady.Length > 0)
        {
            row.Set("canary_ns", steady[steady.Length / 2]);
            row.Set("canary_ns_p10", steady[steady.Length / 10]);
            row.Set("canary_ns_p90", steady[steady.Length * 9 / 10]);
        }

        row.Set("samples", steady.Length);
        row.Append(options["results"]);
        return 0;
    }

    /// <summary>Nanoseconds of this thread's CPU time per round of a fixed integer mix (xorshift).</summary>
    private static double TimeOneBatch()
    {
        var start = ThreadCpuNanoseconds();
        var x = 88172645463325252UL;
        for (var i = 0; i < Rounds; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        var elapsed = ThreadCpuNanoseconds() - start;
        GC.KeepAlive(x);
        return (double)elapsed / Rounds;
    }

    private static long ThreadCpuNanoseconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var spec) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return (spec.Seconds * 1_000_000_000L) + spec.Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Used by the report: the canary row of one measurement, if the run had one.</summary>
    public static double? Of(ResultSet? canaries, string generator, string target, string scenario, int run) =>
        canaries?.Find(generator, target, "canary", scenario)?.Runs.FirstOrDefault(r => r.Run == run)?.Values.GetValueOrDefault("canary_ns");
}
