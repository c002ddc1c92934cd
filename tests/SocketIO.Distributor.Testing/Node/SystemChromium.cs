namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// Debian's Chromium for the browser test (not a Playwright download). When it is missing and the
/// tests run as root on a machine with apt-get, it is installed once (<c>apt-get update</c>, then
/// <c>apt-get install chromium</c>), under a machine-wide lock so two test processes never run apt
/// at the same time; otherwise the test fails with the one command to run.
/// </summary>
public static class SystemChromium
{
    /// <summary>Where Debian's package puts the browser.</summary>
    public const string Path = "/usr/bin/chromium";

    /// <summary>The command that installs it by hand.</summary>
    public const string InstallCommand = "sudo apt-get update && sudo apt-get install -y chromium";

    private const string AptGet = "/usr/bin/apt-get";

    /// <summary>A cold apt cache downloads ~100 MB of packages; the lock wait covers another process installing.</summary>
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(15);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Task<string>? s_installed;

    /// <summary>Returns the browser's path, installing it first when missing and possible.</summary>
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
            // One attempt per test process: a failure is reported the same way to every caller.
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
                $"The browser test drives Debian's Chromium at {Path}, which is missing, and the tests cannot install it " +
                $"(that needs root and apt-get). Install it with: {InstallCommand}");
        }

        await using var machineLock = await MachineLock.AcquireAsync("socketio-distributor-apt-chromium", InstallTimeout);
        if (File.Exists(Path))
        {
            // Another test process installed it while this one waited for the lock.
            return Path;
        }

        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string[][] steps =
        [
            ["update", "-qq"],

            // Waits for a dpkg lock held by someone else rather than failing at once.
            ["install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", "chromium"],
        ];
        foreach (var arguments in steps)
        {
            var result = await ChildProcess.RunAsync(AptGet, arguments, "/", InstallTimeout, "apt-get is missing.", environment);
            if (result.TimedOut || result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'apt-get {string.Join(' ', arguments)}' {(result.TimedOut ? $"did not finish within {InstallTimeout}" : $"failed with exit code {result.ExitCode}")}; " +
                    $"install Chromium with: {InstallCommand}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
            }
        }

        return File.Exists(Path)
            ? Path
            : throw new InvalidOperationException($"apt-get installed chromium but {Path} is still missing; install it with: {InstallCommand}");
    }
}
