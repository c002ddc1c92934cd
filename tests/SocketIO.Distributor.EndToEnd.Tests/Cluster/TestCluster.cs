using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Distribution;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster;

/// <summary>
/// A deployment for one test: distributors (each an ASP.NET Core app on its own loopback port) and
/// backends, all on the test RESP server under a channel prefix of the test's own. Heartbeats are
/// fast so that deaths are noticed within about a second.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _parts = [];
    private ILoggerFactory? _backendLogs;
    private readonly List<ILoggerFactory> _ownLogs = [];

    private TestCluster(string prefix, string redis)
    {
        Prefix = prefix;
        Redis = redis;
    }

    /// <summary>The channel prefix of this cluster.</summary>
    public string Prefix { get; }

    /// <summary>The RESP server every member uses (the shared test server unless the test brought its own).</summary>
    public string Redis { get; }

    /// <summary>The warnings and errors the members logged (for failure messages).</summary>
    public WarningLog Warnings { get; } = new();

    /// <summary>Heartbeat interval used by every member.</summary>
    public static TimeSpan Heartbeat { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long until a silent member counts as dead.</summary>
    public static TimeSpan MemberTimeout { get; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>Creates an empty cluster with its own prefix, on <paramref name="redis"/> or the shared test server.</summary>
    public static TestCluster Create(string name, string? redis = null) => new(TestRedis.NewPrefix(name), redis ?? TestRedis.ConnectionString);

    /// <summary>Bus options for a member of this cluster.</summary>
    public void ConfigureBus(BusOptions bus)
    {
        bus.Redis = Redis;
        bus.ChannelPrefix = Prefix;
        bus.HeartbeatInterval = Heartbeat;
        bus.MemberTimeout = MemberTimeout;
    }

    /// <summary>Starts a distributor serving <paramref name="namespaces"/>.</summary>
    public async Task<DistributorHost> StartDistributorAsync(string[] namespaces, Action<DistributorOptions>? configure = null, TimeProvider? time = null)
    {
        var host = await RunningHost.StartAsync(args =>
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(Warnings);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            builder.Services.AddSocketIODistributor(options =>
            {
                ConfigureBus(options.Bus);
                options.Namespaces = namespaces;
                options.StatsInterval = TimeSpan.Zero;

                // A test's stop closes every session at once, as before draining existed (a test opts in).
                options.DrainWindow = TimeSpan.Zero;
                configure?.Invoke(options);
            });
            var app = builder.Build();
            app.MapSocketIO();
            app.MapSocketIOHealthChecks();
            return app;
        });
        var distributor = new DistributorHost(host, host.Services.GetRequiredService<SocketIODistributor>());
        _parts.Add(distributor);
        return distributor;
    }

    /// <summary>
    /// Starts a backend set up by <paramref name="setup"/>; with <paramref name="logs"/>, its log from
    /// <see cref="LogLevel.Information"/> up goes there too.
    /// </summary>
    public async Task<SocketIOBackend> StartBackendAsync(Action<SocketIOBackend> setup, Action<BackendOptions>? configure = null, ILoggerProvider? logs = null)
    {
        var options = new BackendOptions();
        ConfigureBus(options.Bus);
        configure?.Invoke(options);
        var factory = _backendLogs ??= LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(Warnings));
        if (logs is not null)
        {
            var own = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs).AddProvider(Warnings));
            _ownLogs.Add(own);
            factory = own;
        }

        var backend = new SocketIOBackend(options, factory);
        setup(backend);
        await backend.StartAsync(CancellationToken.None);
        _parts.Add(backend);
        return backend;
    }

    /// <summary>Waits until every distributor sees <paramref name="count"/> live backends.</summary>
    public async Task WaitForBackendsAsync(DistributorHost distributor, int count) =>
        await Eventually.TrueAsync(
            () => distributor.Distributor.Members.Count(m => m.Kind == Protocol.Bus.MemberKind.Backend) >= count,
            $"distributor {distributor.Distributor.Id} sees {count} backends");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        for (var i = _parts.Count - 1; i >= 0; i--)
        {
            await _parts[i].DisposeAsync();
        }

        _backendLogs?.Dispose();
        _ownLogs.ForEach(f => f.Dispose());
    }
}

/// <summary>A running distributor of a <see cref="TestCluster"/>.</summary>
public sealed class DistributorHost(RunningHost host, SocketIODistributor distributor) : IAsyncDisposable
{
    /// <summary>The web host.</summary>
    public RunningHost Host { get; } = host;

    /// <summary>The distributor.</summary>
    public SocketIODistributor Distributor { get; } = distributor;

    /// <summary>The base URL clients connect to.</summary>
    public string Url => Host.Url;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
