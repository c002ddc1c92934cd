using System.Diagnostics;
using System.Globalization;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.Testing.Resp;

/// <summary>
/// A real Redis Cluster of one test (or of a test process): <c>redis-server --cluster-enabled yes</c>
/// nodes on free loopback ports with temp dirs and no persistence, joined by
/// <c>redis-cli --cluster create ... --cluster-replicas R --cluster-yes</c>, ready once every node says
/// <c>cluster_state:ok</c> (and every replica is in sync). Everything is killed on dispose. The programs
/// are <c>redis-server</c> and <c>redis-cli</c> on PATH (or <c>SIOD_REDIS_SERVER</c> and the
/// <c>redis-cli</c> beside it); the Debian package <c>redis-server</c> has both.
/// </summary>
public sealed partial class RedisCluster : IAsyncDisposable
{
    /// <summary>The command that installs what this fixture needs.</summary>
    public static string InstallCommand => SystemRedis.InstallCommand;

    /// <summary>A failover takes the node timeout to detect plus an election; keep it short for tests.</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromMilliseconds(1000);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    private readonly string _directory;
    private readonly Dictionary<int, Process> _processes = [];

    private RedisCluster(string directory, IReadOnlyList<int> ports)
    {
        _directory = directory;
        Ports = ports;
    }

    /// <summary>Every node's port, masters first (as created).</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>The StackExchange.Redis connection string naming every node (<c>127.0.0.1:p1,127.0.0.1:p2,...</c>).</summary>
    public string ConnectionString => string.Join(",", Ports.Select(p => $"127.0.0.1:{p}"));

    /// <summary>The ports of the nodes still running.</summary>
    public IReadOnlyList<int> RunningPorts
    {
        get
        {
            lock (_processes)
            {
                return [.. _processes.Keys.Order()];
            }
        }
    }

    /// <summary>Starts <paramref name="masters"/> masters with <paramref name="replicas"/> replicas each and waits until the cluster is ok.</summary>
    /// <param name="masters">How many masters (at least 3, as redis-cli requires).</param>
    /// <param name="replicas">Replicas per master.</param>
    /// <returns>The running cluster.</returns>
    public static async Task<RedisCluster> StartAsync(int masters = 3, int replicas = 0)
    {
        await SystemRedis.EnsureServerAsync();
        var directory = Directory.CreateTempSubdirectory("siod-cluster-").FullName;
        // The OS may hand out the same free port twice in a row: draw until there are enough distinct ones
        // (dropping the repeat left a 3-master cluster with 2 nodes, and redis-cli refused it).
        var ports = new List<int>();
        for (var draws = 0; ports.Count < masters * (1 + replicas); draws++)
        {
            if (draws == 100)
            {
                throw new InvalidOperationException($"could not find {masters * (1 + replicas)} distinct free ports");
            }

            var port = TestRedis.FreeClusterNodePort();
            if (!ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        var cluster = new RedisCluster(directory, ports);
        try
        {
            foreach (var port in ports)
            {
                cluster.StartNode(port);
            }

            foreach (var port in ports)
            {
                await UntilAsync(async () => (await cluster.TryCommandAsync(port, "PING")) == "PONG", $"redis node {port} answers PING", StartTimeout);
            }

            List<string> create = ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", replicas.ToString(CultureInfo.InvariantCulture), "--cluster-yes"];
            var result = await ChildProcess.RunAsync(Cli, create, directory, StartTimeout, MissingHint);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed ({result.ExitCode}): {result.Stdout} {result.Stderr}");
            }

            await cluster.WaitHealthyAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every running node says <c>cluster_state:ok</c>, agrees on the masters, and every replica is in sync.</summary>
    /// <param name="timeout">How long to wait (default 30 s).</param>
    /// <returns>A task that completes when healthy.</returns>
    public async Task WaitHealthyAsync(TimeSpan? timeout = null)
    {
        await UntilAsync(
            async () =>
            {
                var views = new HashSet<string>(StringComparer.Ordinal);
                foreach (var port in RunningPorts)
                {
                    var info = await TryCommandAsync(port, "CLUSTER", "INFO");
                    if (info is null || !info.Contains("cluster_state:ok", StringComparison.Ordinal))
                    {
                        return false;
                    }

                    var nodes = await NodesAsync(port);
                    if (nodes.Any(n => !n.Failed && n.IsReplica && n.LinkDown))
                    {
                        return false;
                    }

                    views.Add(string.Join(";", nodes.Where(n => n.IsMaster && n.SlotCount > 0 && !n.Failed).Select(n => $"{n.Port}={n.Slots}").Order(StringComparer.Ordinal)));
                    if (nodes.Where(n => n.IsReplica && !n.Failed).Any(n => !RunningPorts.Contains(n.Port)))
                    {
                        return false;
                    }
                }

                foreach (var port in RunningPorts)
                {
                    var replication = await TryCommandAsync(port, "INFO", "replication");
                    if (replication is null || (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal)))
                    {
                        return false;
                    }
                }

                return views.Count == 1;
            },
            "every node of the Redis Cluster says cluster_state:ok and agrees on the masters",
            timeout ?? StartTimeout);
    }

    /// <summary>Kills one node with SIGKILL (no shutdown, no save) and waits until it is gone.</summary>
    /// <param name="port">The node's port.</param>
    /// <returns>A task that completes when the process has exited.</returns>
    public async Task KillAsync(int port)
    {
        Process? process;
        lock (_processes)
        {
            _processes.Remove(port, out process);
        }

        if (process is null)
        {
            return;
        }

        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        process.Dispose();
    }

    /// <summary>Kills every node at once without waiting and removes the temp dir (for a process-exit handler, which cannot await).</summary>
    public void KillAll()
    {
        lock (_processes)
        {
            foreach (var process in _processes.Values)
            {
                try
                {
                    process.Kill(entireProcessTree: false);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }

            _processes.Clear();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A node still writing; the temp dir is cleaned by the OS.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var port in RunningPorts)
        {
            try
            {
                await KillAsync(port);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                // Already gone.
            }
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A node wrote late; the temp dir is cleaned by the OS.
        }
    }

    private static string Server => Environment.GetEnvironmentVariable("SIOD_REDIS_SERVER") is { Length: > 0 } configured ? configured : "redis-server";

    private static string Cli => Path.IsPathRooted(Server) && File.Exists(Path.Combine(Path.GetDirectoryName(Server)!, "redis-cli"))
        ? Path.Combine(Path.GetDirectoryName(Server)!, "redis-cli")
        : "redis-cli";

    private static string MissingHint => $"redis-server and redis-cli are needed for the Redis Cluster tests. Install them with: {InstallCommand}";

    private void StartNode(int port)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_directory, port.ToString(CultureInfo.InvariantCulture))).FullName;
        var startInfo = new ProcessStartInfo(Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir,
            "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(dir, "nodes.conf"),
            "--cluster-node-timeout", ((int)NodeTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            "--cluster-replica-validity-factor", "0", "--cluster-allow-replica-migration", "no",
            "--save", string.Empty, "--appendonly", "no", "--loglevel", "warning",
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start '{Server}': {ex.Message}. {MissingHint}", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_processes)
        {
            _processes[port] = process;
        }
    }
}
