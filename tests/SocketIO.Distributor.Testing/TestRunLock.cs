using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace SocketIO.Distributor.Testing;

/// <summary>
/// One lock file per checkout that the test assemblies take for as long as their test host lives:
/// most take it shared, so they run side by side as `dotnet test` starts them; the fault tests, which
/// assert timings with real processes (failover within 1 s, a death seen within two heartbeats), take
/// it exclusively, so on a 2-core machine no other assembly's clients and servers eat their margins.
/// An assembly that starts while the fault tests run waits for them, and the other way round.
/// The operating system releases the lock when the test host exits. Waits are bounded: after
/// <see cref="MaxWait"/> the assembly runs anyway and says so on standard error.
/// </summary>
public static class TestRunLock
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);
    private static FileStream? _held;

    /// <summary>The lock file of this checkout.</summary>
    public static string FilePath
    {
        get
        {
            var checkout = AppContext.BaseDirectory.Split("/tests/")[0];
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(checkout)))[..16];
            return Path.Combine(Path.GetTempPath(), $"siod-test-run-{hash}.lock");
        }
    }

    /// <summary>Takes the lock (once per process), shared or exclusive; waits while the other kind is held.</summary>
    /// <param name="exclusive">True for the fault tests.</param>
    public static void Acquire(bool exclusive)
    {
        if (_held is not null)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                // On Unix, FileShare.None takes flock(LOCK_EX) and any other share flock(LOCK_SH), without waiting.
                _held = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite);
                return;
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < MaxWait)
            {
                Thread.Sleep(Step);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"test run lock: gave up waiting for {FilePath} after {MaxWait.TotalMinutes} min ({ex.Message}); running anyway");
                return;
            }
        }
    }
}

/// <summary>The xunit framework of the test assemblies that may run side by side: takes <see cref="TestRunLock"/> shared.</summary>
public sealed class SharedTestRunFramework : XunitTestFramework
{
    /// <summary>Creates the framework and takes the lock.</summary>
    /// <param name="messageSink">The diagnostic sink.</param>
    public SharedTestRunFramework(IMessageSink messageSink)
        : base(messageSink) => TestRunLock.Acquire(exclusive: false);
}

/// <summary>The xunit framework of the fault tests: takes <see cref="TestRunLock"/> exclusively.</summary>
public sealed class ExclusiveTestRunFramework : XunitTestFramework
{
    /// <summary>Creates the framework and takes the lock.</summary>
    /// <param name="messageSink">The diagnostic sink.</param>
    public ExclusiveTestRunFramework(IMessageSink messageSink)
        : base(messageSink) => TestRunLock.Acquire(exclusive: true);
}
