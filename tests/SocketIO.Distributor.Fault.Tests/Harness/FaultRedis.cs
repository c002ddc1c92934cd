using System.Globalization;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence (<c>--save "" --appendonly no</c>),
/// so a restart comes back empty as after a crash of a cache node. It can be killed with -9, restarted
/// on the same port, frozen (SIGSTOP) and resumed. Always killed on dispose.
/// </summary>
internal sealed partial class FaultRedis : IAsyncDisposable
{
    private static string MissingHint =>
        $"The fault tests need a real redis-server: install it with: {SystemRedis.InstallCommand}";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly ITestOutputHelper? _log;
    private FaultProcess? _process;
    private int _runs;

    private FaultRedis(int port, ITestOutputHelper? log)
    {
        Port = port;
        _log = log;
    }

    /// <summary>The port, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The running server process (the latest run).</summary>
    public FaultProcess Process => _process ?? throw new InvalidOperationException("redis-server is not running.");

    /// <summary>Starts redis-server on a free loopback port and waits until it accepts connections.</summary>
    public static async Task<FaultRedis> StartAsync(ITestOutputHelper? log = null)
    {
        return await StartOnAsync(TestRedis.FreePort(), log);
    }

    /// <summary>Starts redis-server on <paramref name="port"/> (a port a test chose before Redis was there).</summary>
    public static async Task<FaultRedis> StartOnAsync(int port, ITestOutputHelper? log = null)
    {
        var redis = new FaultRedis(port, log);
        try
        {
            await redis.RestartAsync();
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>kill -9: the server vanishes with every key and subscription.</summary>
    public Task KillAsync() => Process.KillAsync();

    /// <summary>Starts the server again on the same port (empty: no persistence) and waits until it is ready.</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("redis-server is still running; kill it first.");
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _runs++;
        _process = FaultProcess.Start(
            $"redis#{_runs}",
            await SystemRedis.EnsureServerAsync(),
            ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            log: null,
            missingHint: MissingHint);
        await _process.WaitForLineAsync(Ready(), "redis-server to accept connections", StartTimeout);
        _log?.WriteLine($"redis-server run {_runs} ready on port {Port} (pid {_process.Pid})");
    }

    /// <summary>SIGSTOP: the server stops answering but keeps its connections open.</summary>
    public void Pause() => Process.Pause();

    /// <summary>SIGCONT.</summary>
    public void Resume() => Process.Resume();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    [GeneratedRegex("(?i)ready to accept connections")]
    private static partial Regex Ready();
}
