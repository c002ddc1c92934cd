using System.Diagnostics;

namespace SocketIO.Distributor.Testing;

/// <summary>Waits on conditions with a timeout instead of sleeping a fixed time.</summary>
public static class Eventually
{
    /// <summary>The default time a test waits for something that should happen promptly.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(Debugger.IsAttached ? 600 : 15);

    /// <summary>Polls <paramref name="condition"/> until it is true; fails the test on timeout.</summary>
    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? DefaultTimeout).TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting until {because}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it is true; fails the test on timeout with <paramref name="because"/> as it is then (the state it describes).</summary>
    public static async Task TrueAsync(Func<bool> condition, Func<string> because, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? DefaultTimeout).TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting until {because()}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Awaits <paramref name="task"/>; fails the test if it does not finish in time.</summary>
    public static async Task<T> WithTimeout<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
        }
    }

    /// <summary>Awaits <paramref name="task"/>; fails the test if it does not finish in time.</summary>
    public static async Task WithTimeout(this Task task, string what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
        }
    }
}
