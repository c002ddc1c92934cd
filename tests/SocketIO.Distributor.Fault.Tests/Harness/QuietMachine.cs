using System.Diagnostics;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>
/// The fault tests assert timings with real processes (failover within 1 s, a death seen within two
/// heartbeats). `dotnet test` on the solution runs two test assemblies side by side; on a 2-core machine
/// another assembly's clients and servers would eat those margins. So the first fault test waits until
/// no other test assembly of this repository is running (bounded: after <see cref="MaxWait"/> it goes on
/// and says so), and the others run after it (the assembly runs its tests one at a time).
/// </summary>
internal static class QuietMachine
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);
    private static readonly Lock Gate = new();
    private static Task? _waited;

    /// <summary>This checkout (test hosts of other checkouts on the machine are not waited for).</summary>
    private static readonly string Repository = AppContext.BaseDirectory.Split("/tests/")[0] + "/";

    /// <summary>Waits (once per test run) until no other test host of this repository runs.</summary>
    public static Task WaitAsync(ITestOutputHelper? log)
    {
        lock (Gate)
        {
            return _waited ??= WaitCoreAsync(log);
        }
    }

    private static async Task WaitCoreAsync(ITestOutputHelper? log)
    {
        var started = Stopwatch.GetTimestamp();
        var others = OtherTestHosts();
        while (others.Count > 0 && Stopwatch.GetElapsedTime(started) < MaxWait)
        {
            await Task.Delay(Step);
            others = OtherTestHosts();
        }

        var waited = Stopwatch.GetElapsedTime(started);
        log?.WriteLine(others.Count == 0
            ? $"QUIET machine: no other test assembly running (waited {waited.TotalSeconds:0.0} s)"
            : $"QUIET machine: gave up waiting after {waited.TotalMinutes:0} min; still running: {string.Join(", ", others)}");
    }

    /// <summary>The test assemblies of this checkout, other than this one, whose test hosts run now.</summary>
    private static List<string> OtherTestHosts()
    {
        var found = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return found;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // the process ended, or is not ours to read
            }

            if (!commandLine.Contains("testhost", StringComparison.Ordinal))
            {
                continue;
            }

            var assembly = commandLine.Split(' ').FirstOrDefault(a => a.EndsWith(".deps.json", StringComparison.Ordinal) && a.StartsWith(Repository, StringComparison.Ordinal));
            if (assembly is not null && !assembly.Contains("Fault.Tests", StringComparison.Ordinal))
            {
                found.Add(Path.GetFileName(assembly));
            }
        }

        return found;
    }
}
