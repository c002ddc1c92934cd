using System.Net;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary><c>siod demo</c> serves the health endpoints on both of its distributors.</summary>
public sealed class DemoHealthTests
{
    [Fact]
    public async Task Both_demo_distributors_answer_healthz_and_readyz()
    {
        await using var demo = await DemoUnderTest.StartAsync("health");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        foreach (var url in demo.Urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(new Uri(url), "healthz"))).StatusCode);

            // Ready once its membership entry has been read back (the first heartbeat round).
            await Eventually.TrueAsync(
                () => http.Send(new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(url), "readyz"))).StatusCode == HttpStatusCode.OK,
                $"{url}readyz answers 200");
        }
    }
}
