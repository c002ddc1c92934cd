using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SocketIO.Distributor.Testing;

/// <summary>
/// A web application started on a free loopback port (Kestrel binds port 0), stopped on dispose.
/// Each test gets its own port, so tests run in parallel without clashing.
/// </summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The loopback base address, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The base address without a trailing slash, as socket.io clients expect.</summary>
    public string Url => BaseUri.ToString().TrimEnd('/');

    /// <summary>The WebSocket form of <see cref="Url"/>.</summary>
    public string WebSocketUrl => "ws" + Url["http".Length..];

    /// <summary>
    /// The arguments given to a sample host: listen on a free loopback port, and use the test RESP
    /// server with a channel prefix of its own (hosts that need no Redis ignore these).
    /// </summary>
    public static string[] LoopbackArgs =>
        ["--urls", "http://127.0.0.1:0", "--redis", Resp.TestRedis.ConnectionString, "--prefix", Resp.TestRedis.NewPrefix("host")];

    /// <summary>Builds the app with <paramref name="create"/> (given <see cref="LoopbackArgs"/>) and starts it.</summary>
    public static async Task<RunningHost> StartAsync(Func<string[], WebApplication> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var app = create(LoopbackArgs);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        var address = addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        return new RunningHost(app, new Uri(address + "/"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
