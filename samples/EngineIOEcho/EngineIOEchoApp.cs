using SocketIO.Distributor.EngineIO;

namespace EngineIOEcho;

/// <summary>
/// The Engine.IO echo host with the engine.io-protocol test-suite configuration: path
/// <c>/engine.io/</c>, pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1,000,000, CORS <c>*</c>.
/// </summary>
public static class EngineIOEchoApp
{
    /// <summary>Builds the host; <paramref name="args"/> are the usual ASP.NET Core arguments (<c>--urls</c>).</summary>
    public static WebApplication Create(string[] args) => Create(args, configure: null);

    /// <summary>Builds the host with changed options (tests that must not race the 300 ms heartbeat).</summary>
    public static WebApplication Create(string[] args, Action<EngineOptions>? configure)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddEngineIOBareWebSockets();
        var app = builder.Build();
        var options = new EngineOptions
        {
            Path = "/engine.io/",
            PingInterval = TimeSpan.FromMilliseconds(300),
            PingTimeout = TimeSpan.FromMilliseconds(200),
            MaxPayload = 1_000_000,
        };
        options.AllowedOrigins.Add("*");
        configure?.Invoke(options);
        var server = new EngineServer(
            options,
            new EchoConnectionHandler(),
            app.Services.GetService<TimeProvider>() ?? TimeProvider.System,
            app.Services.GetRequiredService<ILogger<EngineServer>>());
        app.MapEngineIO(server);
        return app;
    }
}
