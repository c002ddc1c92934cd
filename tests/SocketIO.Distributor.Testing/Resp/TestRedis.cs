using System.Net;
using System.Net.Sockets;
using Garnet;
using Garnet.server;

namespace SocketIO.Distributor.Testing.Resp;

/// <summary>
/// The RESP server tests talk to: an embedded Garnet started once per test process on a free
/// loopback port, or, when the environment variable <c>SIOD_TEST_REDIS</c> names one (CI sets it to
/// a real <c>redis-server</c>), that server. Tests isolate themselves with their own channel prefix
/// (<see cref="NewPrefix"/>), so they share the server safely and run in parallel.
/// </summary>
public static class TestRedis
{
    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static GarnetServer? _garnet;
    private static RedisCluster? _cluster;

    /// <summary>The value of <see cref="EnvironmentVariable"/> that selects a Redis Cluster started by the tests.</summary>
    public const string ClusterValue = "cluster";

    /// <summary>The environment variable naming an external server (<c>host:port</c>).</summary>
    public const string EnvironmentVariable = "SIOD_TEST_REDIS";

    /// <summary>The connection string of the server (starting Garnet on first use).</summary>
    public static string ConnectionString => Server.Value;

    /// <summary>True when the tests run against an external server rather than embedded Garnet.</summary>
    public static bool IsExternal => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>True when the tests run on a Redis Cluster (<c>SIOD_TEST_REDIS=cluster</c>).</summary>
    public static bool IsCluster => string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), ClusterValue, StringComparison.OrdinalIgnoreCase);

    /// <summary>A channel prefix no other test uses.</summary>
    /// <param name="test">A short name of the test, for readability in MONITOR output.</param>
    /// <returns>The prefix.</returns>
    public static string NewPrefix(string test = "t") => $"siodtest:{test[..Math.Min(test.Length, 20)]}:{Guid.NewGuid():N}";

    /// <summary>A free loopback TCP port (bound and released at once).</summary>
    /// <returns>The port.</returns>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free loopback port for a Redis Cluster node: the node also binds its cluster bus on the port + 10000,
    /// which must be free too (a node whose bus port was taken never started: "redis node … answers PING" timed out).
    /// </summary>
    /// <returns>The port.</returns>
    public static int FreeClusterNodePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = FreePort();
            if (port + 10000 <= IPEndPoint.MaxPort && IsFree(port + 10000))
            {
                return port;
            }
        }

        throw new InvalidOperationException("found no free port whose cluster bus port (+10000) is free too");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Start()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (IsCluster)
        {
            // A Lazy's factory is synchronous and runs once per test process, before any test uses Redis.
            _cluster = Task.Run(() => RedisCluster.StartAsync(masters: 3)).GetAwaiter().GetResult();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _cluster.KillAll();
            return _cluster.ConnectionString;
        }

        if (!string.IsNullOrEmpty(external))
        {
            return external;
        }

        var port = FreePort();
        _garnet = new GarnetServer(new GarnetServerOptions
        {
            EndPoints = [new IPEndPoint(IPAddress.Loopback, port)],
            QuietMode = true,

            // Recovery offsets come from a Lua script (RecoveryOrder), as on Redis.
            EnableLua = true,
            LuaOptions = new Garnet.server.LuaOptions(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
        });
        _garnet.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _garnet.Dispose();
        return $"127.0.0.1:{port}";
    }
}
