using System.CommandLine;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Distribution;

namespace SocketIO.Distributor.Cli.Commands;

/// <summary>
/// <c>siod distributor</c>: one distributor. Settings come from <c>appsettings.json</c> (section
/// <c>SocketIO:Distributor</c>), then environment variables (<c>SocketIO__Distributor__Bus__Redis</c>, ...),
/// then these flags, as in any .NET app.
/// </summary>
internal static class DistributorCommand
{
    public static Command Create()
    {
        var redis = new Option<string?>("--redis") { Description = "Redis connection string (default: configuration, else localhost:6379). Environment: SIOD_REDIS." };
        var prefix = new Option<string?>("--prefix") { Description = "Channel prefix shared with the backends (default: siod)." };
        var namespaces = new Option<string?>("--namespaces") { Description = "Namespaces served, comma-separated, e.g. /chat,/gameA (required here or in configuration)." };
        var urls = new Option<string?>("--urls") { Description = "Where to listen, e.g. http://0.0.0.0:8001 (default: http://localhost:8001)." };
        var path = new Option<string?>("--path") { Description = "The Socket.IO path (default: /socket.io/)." };
        var pingInterval = new Option<int?>("--ping-interval") { Description = "Milliseconds between server pings (default: 25000)." };
        var pingTimeout = new Option<int?>("--ping-timeout") { Description = "Milliseconds to wait for a pong before closing (default: 20000)." };
        var maxPayload = new Option<int?>("--max-payload") { Description = "Largest message or polling body, in bytes (default: 1000000)." };
        var connectTimeout = new Option<int?>("--connect-timeout") { Description = "Milliseconds a new connection may wait before joining a namespace (default: 45000)." };
        var origins = new Option<string?>("--allowed-origins") { Description = "Origins allowed to connect (CORS and CSRF protection), comma-separated; * for any (default: any, no CORS headers)." };
        var heartbeat = new Option<int?>("--heartbeat") { Description = "Milliseconds between liveness heartbeats; a member silent for three is dead (default: 2000)." };
        var stats = new Option<int?>("--stats-interval") { Description = "Milliseconds between statistics log lines; 0 turns them off (default: 60000)." };
        var drainWindow = new Option<int?>("--drain-window") { Description = "Milliseconds over which SIGTERM closes the sessions (new ones are refused with 503; /readyz turns 503) so clients reconnect elsewhere gradually (default: 10000)." };
        var pubsub = new Option<string?>("--pubsub") { Description = "auto, classic or sharded: Redis pub/sub kind (default: auto = sharded on a Redis Cluster or Redis 7+, classic on the embedded server). Every process of a deployment must use the same." };
        var serveClient = new Option<bool>("--serve-client") { Description = "Serve the socket.io client bundle at {path}socket.io.js.", DefaultValueFactory = _ => true };
        var command = new Command("distributor", "Run one distributor: clients connect here; namespaces are served by backends through Redis.")
        {
            redis, prefix, namespaces, urls, path, pingInterval, pingTimeout, maxPayload, connectTimeout, origins, heartbeat, stats, drainWindow, pubsub, serveClient,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var builder = CliHost.CreateBuilder();

            // A start that fails (Redis unreachable, a port in use) is reported by siod as one line
            // ("siod: ...", exit code 2): the host's own error log would add a stack trace to it.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
            builder.WebHost.UseUrls(parsed.GetValue(urls) ?? builder.Configuration["urls"] ?? "http://localhost:8001");
            PubSubMode? mode = parsed.GetValue(pubsub) is { } chosen
                ? Enum.TryParse<PubSubMode>(chosen, ignoreCase: true, out var parsedMode) && Enum.IsDefined(parsedMode) && !chosen.All(char.IsDigit)
                    ? parsedMode
                    : throw new CliFailure($"--pubsub must be auto, classic or sharded (got '{chosen}').")
                : null;
            builder.Services.AddSocketIODistributor(builder.Configuration.GetSection("SocketIO:Distributor"), options =>
            {
                var bus = options.Bus;
                bus.Redis = parsed.GetValue(redis) ?? Environment.GetEnvironmentVariable("SIOD_REDIS") ?? bus.Redis;
                bus.ChannelPrefix = parsed.GetValue(prefix) ?? bus.ChannelPrefix;
                bus.PubSubMode = mode ?? bus.PubSubMode;
                if (parsed.GetValue(heartbeat) is { } beat)
                {
                    bus.HeartbeatInterval = TimeSpan.FromMilliseconds(beat);
                    bus.MemberTimeout = TimeSpan.FromMilliseconds(beat * 3);
                }

                if (parsed.GetValue(namespaces) is { } list)
                {
                    options.Namespaces = [.. Split(list)];
                }

                var engine = options.Server.Engine;
                engine.Path = parsed.GetValue(path) ?? engine.Path;
                engine.PingInterval = Milliseconds(parsed.GetValue(pingInterval)) ?? engine.PingInterval;
                engine.PingTimeout = Milliseconds(parsed.GetValue(pingTimeout)) ?? engine.PingTimeout;
                engine.MaxPayload = parsed.GetValue(maxPayload) ?? engine.MaxPayload;
                options.Server.ConnectTimeout = Milliseconds(parsed.GetValue(connectTimeout)) ?? options.Server.ConnectTimeout;
                options.StatsInterval = Milliseconds(parsed.GetValue(stats)) ?? options.StatsInterval;
                options.DrainWindow = Milliseconds(parsed.GetValue(drainWindow)) ?? options.DrainWindow;
                foreach (var origin in Split(parsed.GetValue(origins)))
                {
                    engine.AllowedOrigins.Add(origin);
                }

                if (parsed.GetValue(serveClient) && File.Exists(DemoDeployment.ClientScript))
                {
                    options.Server.ClientScriptPath ??= DemoDeployment.ClientScript;
                }
            });
            var app = builder.Build();
            var problems = app.Services.GetRequiredService<DistributorOptions>().Validate();
            if (problems.Count > 0)
            {
                throw new CliFailure(string.Join(" ", problems));
            }

            app.MapSocketIO();
            app.MapSocketIOHealthChecks();
            await app.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    private static IEnumerable<string> Split(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TimeSpan? Milliseconds(int? value) => value is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
