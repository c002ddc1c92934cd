using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.Testing.Nginx;

/// <summary>
/// Debian's <c>nginx</c> for the load-balancer tests. When it is missing and the tests run as root on a
/// machine with apt-get, it is installed once (<c>apt-get update</c>, then <c>apt-get install nginx</c>),
/// under the machine-wide apt lock the other fixtures use; otherwise the test fails with the one command to run.
/// </summary>
public static class SystemNginx
{
    /// <summary>Where Debian's package puts the program.</summary>
    public const string Path = "/usr/sbin/nginx";

    /// <summary>The command that installs it by hand.</summary>
    public const string InstallCommand = "sudo apt-get update && sudo apt-get install -y nginx";

    private const string AptGet = "/usr/bin/apt-get";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Task<string>? s_installed;

    /// <summary>Returns nginx's path, installing it first when missing and possible.</summary>
    /// <exception cref="InvalidOperationException">It is missing and cannot be installed here; the message says how.</exception>
    public static async Task<string> EnsureInstalledAsync()
    {
        if (File.Exists(Path))
        {
            return Path;
        }

        await Gate.WaitAsync();
        try
        {
            s_installed ??= InstallAsync();
        }
        finally
        {
            Gate.Release();
        }

        return await s_installed;
    }

    private static async Task<string> InstallAsync()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(AptGet) || !Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                $"The load-balancer test drives Debian's nginx at {Path}, which is missing, and the tests cannot install it " +
                $"(that needs root and apt-get). Install it with: {InstallCommand}");
        }

        // The same lock name as the other apt installs: two test processes never run apt together.
        await using var machineLock = await MachineLock.AcquireAsync("socketio-distributor-apt-chromium", InstallTimeout);
        if (File.Exists(Path))
        {
            return Path;
        }

        // RUNLEVEL=1: the package's post-install script does not start the system service (the test starts its own).
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive", ["RUNLEVEL"] = "1" };
        string[][] steps =
        [
            ["update", "-qq"],
            ["install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", "nginx"],
        ];
        foreach (var arguments in steps)
        {
            var result = await ChildProcess.RunAsync(AptGet, arguments, "/", InstallTimeout, "apt-get is missing.", environment);
            if (result.TimedOut || result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'apt-get {string.Join(' ', arguments)}' {(result.TimedOut ? $"did not finish within {InstallTimeout}" : $"failed with exit code {result.ExitCode}")}; " +
                    $"install nginx with: {InstallCommand}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
            }
        }

        return File.Exists(Path)
            ? Path
            : throw new InvalidOperationException($"apt-get installed nginx but {Path} is still missing; install it with: {InstallCommand}");
    }
}
