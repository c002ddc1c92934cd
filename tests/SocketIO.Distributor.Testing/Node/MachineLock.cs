using System.Diagnostics;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>A lock shared by every process on the machine: an exclusively opened file in the temp folder.</summary>
internal sealed class MachineLock : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _file;

    private MachineLock(FileStream file) => _file = file;

    /// <summary>Waits until no other process holds the lock named <paramref name="name"/>, then holds it.</summary>
    public static async Task<MachineLock> AcquireAsync(string name, TimeSpan timeout)
    {
        var path = Path.Combine(Path.GetTempPath(), name + ".lock");
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new MachineLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < timeout)
            {
                await Task.Delay(RetryDelay);
            }
        }
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
