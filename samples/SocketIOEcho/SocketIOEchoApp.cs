using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Demo;

namespace SocketIOEcho;

/// <summary>
/// The Socket.IO echo host with the socket.io-protocol test-suite configuration (pingInterval 300 ms,
/// pingTimeout 200 ms, maxPayload 1,000,000, connectTimeout 1,000 ms, CORS <c>*</c>), served by a
/// distributor whose namespaces <c>/</c> and <c>/custom</c> are handled by <see cref="EchoBackend"/>
/// through Redis.
/// </summary>
public static class SocketIOEchoApp
{
    /// <summary>
    /// Builds the host. Besides the usual ASP.NET Core arguments (<c>--urls</c>): <c>--redis</c> (an
    /// external RESP server; default: an embedded one), <c>--prefix</c> (channel prefix, default
    /// <c>siod</c>), <c>--role</c> (<c>all</c>, <c>distributor</c> or <c>backend</c>), <c>--heartbeat</c> (milliseconds
    /// between liveness heartbeats; a member silent for three is dead; default 2000), <c>--distributor-id</c> (the
    /// distributor's configured id; default: a new one per run), <c>--ping-interval</c> and
    /// <c>--ping-timeout</c> (milliseconds; default 300 and 200, the test suite's).
    /// </summary>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var redis = builder.Configuration["redis"];
        var prefix = builder.Configuration["prefix"] ?? "siod";
        var role = builder.Configuration["role"] ?? "all";
        var heartbeat = TimeSpan.FromMilliseconds(builder.Configuration.GetValue("heartbeat", 2000));
        var pingInterval = TimeSpan.FromMilliseconds(builder.Configuration.GetValue("ping-interval", 300));
        var pingTimeout = TimeSpan.FromMilliseconds(builder.Configuration.GetValue("ping-timeout", 200));
        if (role is not ("all" or "distributor" or "backend"))
        {
            throw new ArgumentException($"--role must be all, distributor or backend (got '{role}').");
        }

        if (string.IsNullOrEmpty(redis))
        {
            var embedded = new EmbeddedRedis();
            builder.Services.AddSingleton(embedded);
            redis = embedded.ConnectionString;
        }

        if (role is "all" or "backend")
        {
            builder.Services.AddSocketIOBackend(
                options =>
                {
                    options.Bus.Redis = redis;
                    options.Bus.ChannelPrefix = prefix;
                    options.Bus.HeartbeatInterval = heartbeat;
                    options.Bus.MemberTimeout = heartbeat * 3;
                },
                EchoBackend.Configure);
        }

        if (role is "all" or "distributor")
        {
            builder.Services.AddSocketIODistributor(options =>
            {
                options.Bus.Redis = redis;
                options.Bus.ChannelPrefix = prefix;
                options.Bus.HeartbeatInterval = heartbeat;
                options.Bus.MemberTimeout = heartbeat * 3;
                options.DistributorId = builder.Configuration["distributor-id"];
                options.Namespaces = ["/", "/custom"];
                options.Server.Engine.PingInterval = pingInterval;
                options.Server.Engine.PingTimeout = pingTimeout;
                options.Server.Engine.MaxPayload = 1_000_000;
                options.Server.Engine.AllowedOrigins.Add("*");
                options.Server.ConnectTimeout = TimeSpan.FromMilliseconds(1000);

                // One conformance host: nothing to drain to when it stops.
                options.DrainWindow = TimeSpan.Zero;
            });
        }

        var app = builder.Build();
        if (role is "all" or "distributor")
        {
            app.MapSocketIO();
        }

        return app;
    }
}
