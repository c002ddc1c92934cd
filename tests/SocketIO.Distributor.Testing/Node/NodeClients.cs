using System.Diagnostics;
using System.Security.Cryptography;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// The npm package of real Socket.IO clients in <c>tests/clients</c>: installed once per test run
/// (<c>npm ci</c>, only when node_modules is missing or older than package-lock.json), then its scripts run under Node.
/// </summary>
public static class NodeClients
{
    /// <summary>How long <c>npm ci</c> may take: a cold cache downloads a few dozen small packages.</summary>
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Written into node_modules after a successful install: the hash of the package-lock.json installed.</summary>
    private const string InstalledLockHashFile = ".installed-lock-hash";

    private const string MissingNodeHint =
        "The end-to-end tests drive real Socket.IO clients under Node.js: install Node.js 18 or later with npm, and put node and npm on PATH.";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static Task? s_installed;

    /// <summary>Installs the package if needed; every caller in this process shares one install.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            // A failed install is remembered too: every test then reports the same cause without retrying it.
            s_installed ??= InstallAsync();
        }
        finally
        {
            InstallGate.Release();
        }

        await s_installed;
    }

    /// <summary>
    /// Runs <paramref name="script"/> (a path relative to <c>tests/clients</c>) under Node with
    /// <paramref name="arguments"/>, killing it with its process tree after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<NodeScriptResult> RunScriptAsync(string script, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        await EnsureInstalledAsync();
        var started = Stopwatch.GetTimestamp();
        var result = await ChildProcess.RunAsync("node", [script, .. arguments], RepositoryLayout.ClientsDirectory, timeout, MissingNodeHint);
        return new NodeScriptResult(
            $"node {script} {string.Join(' ', arguments)}",
            result.ExitCode,
            result.TimedOut,
            Stopwatch.GetElapsedTime(started),
            result.Stdout,
            result.Stderr);
    }

    private static async Task InstallAsync()
    {
        var directory = RepositoryLayout.ClientsDirectory;
        var lockFile = Path.Combine(directory, "package-lock.json");
        var expectedHash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(lockFile)));
        var stamp = Path.Combine(directory, "node_modules", InstalledLockHashFile);

        // Other test processes (test projects run in parallel) may install at the same moment: take a machine-wide lock.
        await using var machineLock = await MachineLock.AcquireAsync($"socketio-distributor-npm-{Hash(directory)}", InstallTimeout);
        if (File.Exists(stamp) && (await File.ReadAllTextAsync(stamp)).Trim() == expectedHash)
        {
            return;
        }

        var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
        var result = await ChildProcess.RunAsync(npm, ["ci", "--no-audit", "--no-fund"], directory, InstallTimeout, MissingNodeHint);
        if (result.TimedOut || result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'npm ci' in {directory} {(result.TimedOut ? $"did not finish within {InstallTimeout}" : $"failed with exit code {result.ExitCode}")}.\n" +
                $"stdout: {result.Stdout}\nstderr: {result.Stderr}");
        }

        await File.WriteAllTextAsync(stamp, expectedHash);
    }

    private static string Hash(string text) =>
        Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
}
