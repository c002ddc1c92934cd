using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Demo;

// Usage: BenchServer distributor --redis host:port --urls http://127.0.0.1:p
//        BenchServer backend     --redis host:port --urls http://127.0.0.1:p   (the URL serves only /bench-stats)
// Both serve GET /bench-stats[?gc=1] → {"heap": bytes of managed heap (after a full GC with gc=1), "lost": the
// backend's loss counters (null for a distributor)}. A backend prints the same counters as one line when it stops:
// "bench-final-lost packetsForUnknownSockets=N droppedInOutage=N inboundGaps=N".
// Optional: --prefix <channel prefix> (default siod), --heartbeat <ms> (liveness heartbeat; a member
// silent for three is dead; default 2000), used by the fault tests and bench/run's fault step;
// --recovery on (backend: connection state recovery on /bench: offsets, replay log, held sessions).
var role = args.Length > 0 ? args[0] : "distributor";
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var redis = Arg("redis", "127.0.0.1:6379");
BenchBackend.Recovery = Arg("recovery", "off") == "on";
var prefix = Arg("prefix", "siod");
var heartbeat = TimeSpan.FromMilliseconds(int.Parse(Arg("heartbeat", "2000"), System.Globalization.CultureInfo.InvariantCulture));
void ConfigureBus(SocketIO.Distributor.Bus.BusOptions bus)
{
    bus.Redis = redis;
    bus.ChannelPrefix = prefix;
    bus.HeartbeatInterval = heartbeat;
    bus.MemberTimeout = heartbeat * 3;
}

// As siod's own hosts (src/SocketIO.Distributor.Cli/CliHost.cs): settings files read once, the working directory not watched.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
builder.WebHost.UseUrls(Arg("urls", "http://127.0.0.1:8001"));
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);

// A failed start (Redis unreachable) is reported below as one line, without the host's stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

if (role == "distributor")
{
    builder.Services.AddSocketIODistributor(options =>
    {
        ConfigureBus(options.Bus);
        options.Namespaces = ["/bench", ChatBackend.Namespace];
        options.StatsInterval = TimeSpan.Zero;

        // A/B runs of the bare WebSocket path: SIOD_BENCH_OURS_ENV="SIOD_BARE_WEBSOCKETS=0" serves WebSockets as HTTP requests.
        options.Server.Engine.BareWebSockets = Environment.GetEnvironmentVariable("SIOD_BARE_WEBSOCKETS") != "0";
    });
}
else
{
    builder.Services.AddSocketIOBackend(options => ConfigureBus(options.Bus), BenchBackend.Configure);
}

var app = builder.Build();
app.MapGet("/bench-stats", (HttpContext context) =>
{
    var collect = context.Request.Query.ContainsKey("gc");
    if (collect)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    // A backend also reports what it counted as lost (the fault tests add these up); events it refused
    // or dropped on overflow are answered with error acks, which the clients count themselves.
    var backend = role == "distributor" ? null : context.RequestServices.GetService<SocketIOBackend>();
    var lost = backend is null ? null : new Dictionary<string, long>
    {
        ["packetsForUnknownSockets"] = backend.PacketsLost,
        ["droppedInOutage"] = backend.MessagesDroppedInOutage,
        ["inboundGaps"] = backend.Statistics.MessagesLost,
    };
    // A distributor also reports how many backends it sees (bench/run waits for one instead of sleeping).
    var backends = role == "distributor"
        ? context.RequestServices.GetService<SocketIO.Distributor.Distribution.SocketIODistributor>()?.Members.Count(m => m.Kind == SocketIO.Distributor.Protocol.Bus.MemberKind.Backend) ?? 0
        : 0;
    // Batching under load (bench/profile-notes.md): batches published (distributor) and received (either).
    var distributor = role == "distributor" ? context.RequestServices.GetService<SocketIO.Distributor.Distribution.SocketIODistributor>() : null;
    var batches = new
    {
        published = distributor?.Statistics.BatchesPublished ?? backend?.Statistics.BatchesPublished ?? 0,
        messages = distributor?.Statistics.MessagesBatched ?? backend?.Statistics.MessagesBatched ?? 0,
        received = distributor?.Statistics.BatchesReceived ?? backend?.Statistics.BatchesReceived ?? 0,
    };
    return Results.Json(new { heap = GC.GetTotalMemory(collect), role, lost, backends, threadPoolWorkItems = ThreadPool.CompletedWorkItemCount, batches });
});
if (role == "distributor")
{
    app.MapSocketIO();
}

// Taken before the run: after it the host (and its service provider) is disposed.
var backendInstance = role == "distributor" ? null : app.Services.GetService<SocketIOBackend>();
try
{
    await app.RunAsync();
}
catch (InvalidOperationException ex)
{
    // Redis unreachable at start-up (the message says where it was looked for and what to do).
    await Console.Error.WriteLineAsync($"BenchServer {role}: {ex.Message}");
    return 2;
}

// A stopped backend's loss counters, for whoever restarts it (the fault tests' rolling restart adds them up).
if (backendInstance is not null)
{
    Console.WriteLine($"bench-final-lost packetsForUnknownSockets={backendInstance.PacketsLost} droppedInOutage={backendInstance.MessagesDroppedInOutage} inboundGaps={backendInstance.Statistics.MessagesLost}");
}

return 0;

/// <summary>The bench backend: <c>/bench</c> (echo, join, fire) and the demo chat.</summary>
internal static class BenchBackend
{
    /// <summary>Connection state recovery on <c>/bench</c> (<c>--recovery on</c>).</summary>
    public static bool Recovery { get; set; }

    public static void Configure(SocketIOBackend backend)
    {
        var bench = Recovery ? backend.Of("/bench").UseConnectionStateRecovery() : backend.Of("/bench");
        bench.OnConnection(socket =>
        {
            // echo(payload, ack): the ack carries the arguments back unchanged.
            socket.On("echo", e => e.Ack(e.Arguments));

            // join(room, ack): acked once the room subscription is live.
            socket.On("join", async e =>
            {
                await socket.JoinAsync(e.Arguments.Get<string>(0)!);
                e.Ack("ok");
            });

            // fire(room, payload[, ack]): broadcast tick(payload) to the room, or to everyone when room is "";
            // acked "ok" once the broadcast is handed to the bus, when the client asks for an ack.
            socket.On("fire", e =>
            {
                var room = e.Arguments.Get<string>(0);
                var payload = e.Arguments.Get<string>(1);
                if (string.IsNullOrEmpty(room))
                {
                    bench.Emit("tick", payload);
                }
                else
                {
                    bench.To(room).Emit("tick", payload);
                }

                if (e.HasAck)
                {
                    e.Ack("ok");
                }
            });
        });
        new ChatBackend().Configure(backend);
    }
}
