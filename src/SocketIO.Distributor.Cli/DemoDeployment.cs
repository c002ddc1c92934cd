using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.FileProviders;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Demo;
using SocketIO.Distributor.Distribution;

namespace SocketIO.Distributor.Cli;

/// <summary>What <c>siod demo</c> runs.</summary>
/// <param name="Redis">An external Redis, or null for the embedded one.</param>
/// <param name="Ports">The distributors' ports (0: a free one).</param>
/// <param name="Bind">The address the distributors listen on.</param>
/// <param name="Prefix">The channel prefix.</param>
internal sealed record DemoSettings(string? Redis, int[] Ports, string Bind, string Prefix);

/// <summary>
/// The demo deployment in one process: a RESP server, three backends (chat, tic-tac-toe, dice),
/// each its own component talking only through Redis, and distributors serving the demo page.
/// </summary>
internal sealed class DemoDeployment : IAsyncDisposable
{
    private readonly List<WebApplication> _distributors = [];
    private readonly List<SocketIOBackend> _backends = [];
    private EmbeddedRedis? _embedded;

    private DemoDeployment(string redis) => Redis = redis;

    public string Redis { get; }

    public bool IsRedisEmbedded => _embedded is not null;

    public List<string> Urls { get; } = [];

    public static async Task<DemoDeployment> StartAsync(DemoSettings settings)
    {
        if (!IPAddress.TryParse(settings.Bind, out _) && settings.Bind != "localhost")
        {
            throw new CliFailure($"--bind must be an IP address such as 127.0.0.1 (got '{settings.Bind}').");
        }

        var embedded = string.IsNullOrEmpty(settings.Redis) ? new EmbeddedRedis() : null;
        var demo = new DemoDeployment(embedded?.ConnectionString ?? settings.Redis!) { _embedded = embedded };
        try
        {
            await demo.StartBackendsAsync(settings);
            foreach (var port in settings.Ports)
            {
                await demo.StartDistributorAsync(settings, port);
            }

            return demo;
        }
        catch
        {
            await demo.DisposeAsync();
            throw;
        }
    }

    /// <summary>The chat, tic-tac-toe and dice backends, in that order.</summary>
    public IReadOnlyList<SocketIOBackend> Backends => _backends;

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _distributors)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }

        _embedded?.Dispose();
    }

    private async Task StartBackendsAsync(DemoSettings settings)
    {
        var chat = new ChatBackend();
        var tictactoe = new TicTacToeBackend();
        Action<SocketIOBackend>[] setups = [chat.Configure, tictactoe.Configure, DiceBackend.Configure];
        foreach (var setup in setups)
        {
            var options = new BackendOptions();
            ConfigureBus(options.Bus, settings);
            var backend = new SocketIOBackend(options);
            setup(backend);
            _backends.Add(backend);
            await backend.StartAsync();
        }
    }

    private async Task StartDistributorAsync(DemoSettings settings, int port)
    {
        var builder = CliHost.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{settings.Bind}:{port}");
        builder.Services.AddSocketIODistributor(options =>
        {
            ConfigureBus(options.Bus, settings);
            options.Namespaces = [ChatBackend.Namespace, TicTacToeBackend.Namespace, DiceBackend.Namespace];
            options.Server.ClientScriptPath = ClientScript;
            options.StatsInterval = TimeSpan.Zero;

            // The demo stops every distributor together: there is nowhere to drain to.
            options.DrainWindow = TimeSpan.Zero;
            options.PublicEndpoint = port == 0 ? string.Empty : $"http://{settings.Bind}:{port}/";
        });
        var app = builder.Build();
        var pages = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });
        app.MapGet("/demo/whoami", (SocketIODistributor distributor) => Results.Json(new { distributorId = distributor.Id }));
        app.MapSocketIO();
        app.MapSocketIOHealthChecks();
        await app.StartAsync();
        _distributors.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Urls.Add(address.Replace("0.0.0.0", "localhost", StringComparison.Ordinal) + "/");
    }

    private void ConfigureBus(BusOptions bus, DemoSettings settings)
    {
        bus.Redis = Redis;
        bus.ChannelPrefix = settings.Prefix;
    }

    /// <summary>The socket.io client bundle copied next to the program at build time.</summary>
    public static string ClientScript => Path.Combine(AppContext.BaseDirectory, "clientlib", "socket.io.min.js");
}
