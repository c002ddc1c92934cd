using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Hosting;
using SocketIO.Distributor.SocketIO;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Engine.IO and Socket.IO servers into an ASP.NET Core app's endpoints.</summary>
public static class EngineIOEndpointRouteBuilderExtensions
{
    /// <summary>Serves <paramref name="server"/> at its configured path (WebSocket support included).</summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="server">The Engine.IO server.</param>
    /// <returns>The endpoint's convention builder (for authorization, CORS policies, ...).</returns>
    public static IEndpointConventionBuilder MapEngineIO(this IEndpointRouteBuilder endpoints, EngineServer server)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(server);
        // On shutdown, drain: refuse new sessions and close every open one (over the server's
        // ShutdownDrainWindow, at once by default), so long-lived requests (WebSockets, pending polls) end.
        endpoints.ServiceProvider.GetService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()?
            .ApplicationStopping.Register(server.OnHostStopping);
        // The bare WebSocket path (EngineOptions.BareWebSockets), when its connection middleware is installed;
        // not in a route group, whose prefix and conventions the connection middleware cannot see.
        if (endpoints is not RouteGroupBuilder)
        {
            endpoints.ServiceProvider.GetService<BareWebSocketConnections>()?.Add(server, endpoints);
        }

        var built = endpoints.CreateApplicationBuilder();
        built.UseWebSockets();
        built.Run(server.HandleRequestAsync);
        var path = server.Options.NormalizedPath.TrimEnd('/');
        return endpoints.Map(path.Length == 0 ? "/" : path, built.Build()).WithDisplayName("Engine.IO " + server.Options.NormalizedPath);
    }

    /// <summary>Serves the <see cref="SocketIOServer"/> registered with <c>AddSocketIOServer</c>.</summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="configure">Adds namespaces to the server.</param>
    /// <returns>The endpoint's convention builder.</returns>
    public static IEndpointConventionBuilder MapSocketIO(this IEndpointRouteBuilder endpoints, Action<SocketIOServer>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var server = endpoints.ServiceProvider.GetRequiredService<SocketIOServer>();
        configure?.Invoke(server);
        if (server.Options.ClientScriptPath is { } script)
        {
            var path = server.Engine.Options.NormalizedPath;
            RequestDelegate serveScript = context =>
            {
                context.Response.ContentType = "application/javascript; charset=utf-8";
                context.Response.Headers.CacheControl = "public, max-age=3600";
                return context.Response.SendFileAsync(script);
            };
            endpoints.MapGet(path + "socket.io.js", serveScript);
            endpoints.MapGet(path + "socket.io.min.js", serveScript);
        }

        return endpoints.MapEngineIO(server.Engine);
    }
}
