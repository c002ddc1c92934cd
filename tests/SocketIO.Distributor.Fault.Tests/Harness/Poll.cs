using System.Diagnostics;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>Waits on an asynchronous condition with a timeout (the async sibling of <see cref="Eventually"/>).</summary>
internal static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every <paramref name="interval"/> (default 20 ms) until it is true; fails the test on timeout.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? Eventually.DefaultTimeout).TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting until {because}.");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Milliseconds since <paramref name="start"/> (<see cref="Stopwatch.GetTimestamp"/> ticks).</summary>
    public static long MillisecondsSince(long start) => (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    /// <summary>Milliseconds from <paramref name="start"/> to <paramref name="end"/> (Stopwatch ticks).</summary>
    public static long Milliseconds(long start, long end) => (long)Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
}
