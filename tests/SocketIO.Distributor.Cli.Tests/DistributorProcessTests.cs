using System.Diagnostics;
using System.Net;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// <c>siod distributor</c> as an operator runs it: a real process on the test RESP server, a backend
/// in the test process, a real socket.io-client v4 through it; its health endpoints; SIGTERM drains it.
/// </summary>
public sealed class DistributorProcessTests(ITestOutputHelper output)
{
    /// <summary>Start-up of a .NET process plus the Redis connection, on a busy 2-core machine.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Siod_distributor_serves_a_real_client_reports_ready_and_drains_on_SIGTERM()
    {
        var prefix = TestRedis.NewPrefix("siodproc");
        var url = $"http://127.0.0.1:{TestRedis.FreePort()}";
        var backendOptions = new BackendOptions();
        backendOptions.Bus.Redis = TestRedis.ConnectionString;
        backendOptions.Bus.ChannelPrefix = prefix;
        await using var backend = new SocketIOBackend(backendOptions);
        backend.Of("/chat").OnConnection(socket => socket.On("hello", e => e.Ack("hi " + e.Arguments[0].GetString())));
        await backend.StartAsync();

        await using var siod = SiodProcess.Start(
            "distributor", "--redis", TestRedis.ConnectionString, "--prefix", prefix, "--namespaces", "/chat",
            "--urls", url, "--heartbeat", "200", "--stats-interval", "0", "--drain-window", "500");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Eventually.TrueAsync(() => siod.HasExited || IsOk(http, $"{url}/readyz"), "siod distributor answers /readyz with 200", StartTimeout);
            Assert.False(siod.HasExited, $"siod distributor exited: {siod.Output}");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{url}/healthz")).StatusCode);

            await using var clients = await NodeClientDriver.StartAsync("v4", output);
            await clients.ConnectAsync("a", url, "/chat");
            var answer = await clients.EmitWithAckAsync("a", "hello", ["siod"]);
            Assert.Equal("hi siod", answer[0].GetString());

            // SIGTERM: the client's connection is closed with a transport close (it would reconnect elsewhere), and siod exits cleanly.
            var terminated = Stopwatch.StartNew();
            siod.Terminate();
            Assert.Equal("transport close", (await clients.WaitForDisconnectAsync("a")).Reason);
            Assert.True(await siod.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"siod did not exit after SIGTERM: {siod.Output}");
            Assert.True(siod.ExitCode == 0, $"exit code {siod.ExitCode}: {siod.Output}");
            output.WriteLine($"siod exited {terminated.Elapsed} after SIGTERM");
        }
        finally
        {
            output.WriteLine(siod.Output);
        }
    }

    private static bool IsOk(HttpClient http, string url)
    {
        try
        {
            // Eventually polls synchronously: a short blocking GET per try, bounded by the client's timeout.
            using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
