using System.Net;

namespace SocketIO.Distributor.Tests.Wire.EngineIO;

/// <summary>The echo host allows any origin, like the reference configured with <c>cors: { origin: "*" }</c>.</summary>
[Collection(WireCollection.Name)]
public sealed class CorsTests
{
    private const string Origin = "http://example.com";

    [Fact]
    public async Task Handshake_carries_the_allow_origin_header()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.SendAsync(HttpMethod.Get, "EIO=4&transport=polling", configure: r => r.Headers.Add("Origin", Origin));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        AssertAllowsOrigin(response);
    }

    [Fact]
    public async Task Error_responses_carry_the_allow_origin_header()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.SendAsync(HttpMethod.Get, "EIO=4&transport=abc", configure: r => r.Headers.Add("Origin", Origin));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        AssertAllowsOrigin(response);
    }

    [Fact]
    public async Task Preflight_allows_polling_posts()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();

        var response = await client.SendAsync(HttpMethod.Options, EngineIOWireClient.Query(4, "polling", open.Sid), configure: r =>
        {
            r.Headers.Add("Origin", Origin);
            r.Headers.Add("Access-Control-Request-Method", "POST");
            r.Headers.Add("Access-Control-Request-Headers", "content-type");
        });

        Assert.True(response.Status is HttpStatusCode.NoContent or HttpStatusCode.OK, $"Unexpected preflight status {response.Status}.");
        AssertAllowsOrigin(response);
        var methods = string.Join(",", response.Message.Headers.GetValues("Access-Control-Allow-Methods"));
        Assert.Contains("POST", methods, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("GET", methods, StringComparison.OrdinalIgnoreCase);
        var headers = string.Join(",", response.Message.Headers.GetValues("Access-Control-Allow-Headers"));
        Assert.Contains("content-type", headers, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertAllowsOrigin(WireResponse response)
    {
        Assert.True(response.Message.Headers.TryGetValues("Access-Control-Allow-Origin", out var values), "No Access-Control-Allow-Origin header.");
        Assert.Contains(Assert.Single(values), new[] { "*", Origin });
    }
}
