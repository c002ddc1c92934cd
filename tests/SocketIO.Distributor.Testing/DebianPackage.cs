using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.Testing;

/// <summary>
/// A program from a Debian package that some tests drive (Chromium, nginx, redis-server). When it is
/// missing and the tests run as root on a machine with apt-get, the package is installed once per test
/// process (<c>apt-get update</c>, then <c>apt-get install</c>), under a machine-wide lock so two test
/// processes never run apt at the same time; otherwise the test fails with the one command to run.
/// </summary>
/// <param name="package">The Debian package.</param>
/// <param name="path">Where the package puts the program.</param>
/// <param name="purpose">What the tests use it for, for the error message ("the browser test").</param>
/// <param name="startsService">True if the package's post-install script would start a system service (it is kept from doing so: the tests start their own).</param>
public sealed class DebianPackage(string package, string path, string purpose, bool startsService = false)
{
    private const string AptGet = "/usr/bin/apt-get";

    /// <summary>A cold apt cache downloads ~100 MB for Chromium; the lock wait covers another process installing.</summary>
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(15);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task<string>? _installed;

    /// <summary>Where the package puts the program.</summary>
    public string Path { get; } = path;

    /// <summary>The command that installs it by hand.</summary>
    public string InstallCommand => $"sudo apt-get update && sudo apt-get install -y {package}";

    /// <summary>Returns the program's path, installing the package first when it is missing and that is possible.</summary>
    /// <returns>The path.</returns>
    /// <exception cref="InvalidOperationException">It is missing and cannot be installed here; the message says how.</exception>
    public async Task<string> EnsureInstalledAsync()
    {
        if (File.Exists(Path))
        {
            return Path;
        }

        await _gate.WaitAsync();
        try
        {
            // One attempt per test process: a failure is reported the same way to every caller.
            _installed ??= InstallAsync();
        }
        finally
        {
            _gate.Release();
        }

        return await _installed;
    }

    private async Task<string> InstallAsync()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(AptGet) || !Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                $"{purpose} drives Debian's {package} at {Path}, which is missing, and the tests cannot install it " +
                $"(that needs root and apt-get). Install it with: {InstallCommand}");
        }

        // One lock name for every package (the name predates this class): apt never runs twice at once.
        await using var machineLock = await MachineLock.AcquireAsync("socketio-distributor-apt-chromium", InstallTimeout);
        if (File.Exists(Path))
        {
            // Another test process installed it while this one waited for the lock.
            return Path;
        }

        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        if (startsService)
        {
            // RUNLEVEL=1: the package's post-install script does not start the system service.
            environment["RUNLEVEL"] = "1";
        }

        string[][] steps =
        [
            ["update", "-qq"],

            // Waits for a dpkg lock held by someone else rather than failing at once.
            ["install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", package],
        ];
        foreach (var arguments in steps)
        {
            var result = await ChildProcess.RunAsync(AptGet, arguments, "/", InstallTimeout, "apt-get is missing.", environment);
            if (result.TimedOut || result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"'apt-get {string.Join(' ', arguments)}' {(result.TimedOut ? $"did not finish within {InstallTimeout}" : $"failed with exit code {result.ExitCode}")}; " +
                    $"install {package} with: {InstallCommand}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
            }
        }

        return File.Exists(Path)
            ? Path
            : throw new InvalidOperationException($"apt-get installed {package} but {Path} is still missing; install it with: {InstallCommand}");
    }
}
