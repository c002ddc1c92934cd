namespace SocketIO.Distributor.Testing.Resp;

/// <summary>
/// The <c>redis-server</c> and <c>redis-cli</c> that the fault, outage and Redis Cluster tests start:
/// <c>SIOD_REDIS_SERVER</c> if set (with the <c>redis-cli</c> beside it, if there is one), else Debian's
/// package, installed when missing (see <see cref="DebianPackage"/>).
/// </summary>
public static class SystemRedis
{
    private static readonly DebianPackage Package = new("redis-server", "/usr/bin/redis-server", "The Redis fault and cluster tests", startsService: true);

    /// <summary>The command that installs it by hand.</summary>
    public static string InstallCommand => Package.InstallCommand;

    /// <summary>Returns the path of <c>redis-server</c>, installing the package first when missing and possible.</summary>
    /// <returns>The server's path.</returns>
    /// <exception cref="InvalidOperationException">It is missing and cannot be installed here; the message says how.</exception>
    public static async Task<string> EnsureServerAsync()
    {
        if (Environment.GetEnvironmentVariable("SIOD_REDIS_SERVER") is { Length: > 0 } configured)
        {
            return configured;
        }

        var onPath = FindOnPath("redis-server");
        return onPath ?? await Package.EnsureInstalledAsync();
    }

    /// <summary>Returns the path of <c>redis-cli</c> (the server's package has both).</summary>
    /// <returns>The client's path.</returns>
    /// <exception cref="InvalidOperationException">It is missing and cannot be installed here; the message says how.</exception>
    public static async Task<string> EnsureCliAsync()
    {
        var server = await EnsureServerAsync();
        var beside = Path.IsPathRooted(server) ? Path.Combine(Path.GetDirectoryName(server)!, "redis-cli") : null;
        return beside is not null && File.Exists(beside) ? beside : FindOnPath("redis-cli") ?? "redis-cli";
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
