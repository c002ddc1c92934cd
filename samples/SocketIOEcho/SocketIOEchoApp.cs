using SocketIO.Distributor.SocketIO;

namespace SocketIOEcho;

/// <summary>
/// The Socket.IO echo host with the socket.io-protocol test-suite configuration: pingInterval 300 ms,
/// pingTimeout 200 ms, maxPayload 1,000,000, connectTimeout 1,000 ms, CORS <c>*</c>; namespaces
/// <c>/</c> and <c>/custom</c> served by <see cref="EchoNamespace"/>.
/// </summary>
public static class SocketIOEchoApp
{
    /// <summary>Builds the host; <paramref name="args"/> are the usual ASP.NET Core arguments (<c>--urls</c>).</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSocketIOServer(options =>
        {
            options.Engine.PingInterval = TimeSpan.FromMilliseconds(300);
            options.Engine.PingTimeout = TimeSpan.FromMilliseconds(200);
            options.Engine.MaxPayload = 1_000_000;
            options.Engine.AllowedOrigins.Add("*");
            options.ConnectTimeout = TimeSpan.FromMilliseconds(1000);
        });
        var app = builder.Build();
        app.MapSocketIO(server =>
        {
            server.AddNamespace("/", new EchoNamespace());
            server.AddNamespace("/custom", new EchoNamespace());
        });
        return app;
    }
}
