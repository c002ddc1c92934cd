using System.Net;

namespace SocketIO.Distributor.Tests.Wire.EngineIO;

/// <summary>
/// The JSON error bodies of a refused request, <c>400 {"code":N,"message":"..."}</c>, with the codes and
/// messages of the reference server: 0 Transport unknown, 1 Session ID unknown, 2 Bad handshake method,
/// 3 Bad request, 5 Unsupported protocol version. (4 Forbidden needs an allowRequest hook the echo host lacks.)
/// </summary>
[Collection(WireCollection.Name)]
public sealed class ErrorCodeTests
{
    [Theory]
    [InlineData("EIO=4")]
    [InlineData("EIO=4&transport=abc")]
    [InlineData("EIO=4&transport=constructor")]
    public async Task Unknown_transport_is_code_0(string query)
    {
        await AssertErrorAsync(HttpMethod.Get, query, 0, "Transport unknown");
    }

    [Fact]
    public async Task Unknown_sid_on_GET_is_code_1()
    {
        await AssertErrorAsync(HttpMethod.Get, "EIO=4&transport=polling&sid=does-not-exist", 1, "Session ID unknown");
    }

    [Fact]
    public async Task Unknown_sid_on_POST_is_code_1()
    {
        await AssertErrorAsync(HttpMethod.Post, "EIO=4&transport=polling&sid=does-not-exist", 1, "Session ID unknown", body: "4hello");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Handshake_with_a_method_other_than_GET_is_code_2(string method)
    {
        await AssertErrorAsync(new HttpMethod(method), "EIO=4&transport=polling", 2, "Bad handshake method");
    }

    [Fact]
    public async Task WebSocket_transport_without_an_upgrade_is_code_3()
    {
        await AssertErrorAsync(HttpMethod.Get, "EIO=4&transport=websocket", 3, "Bad request");
    }

    [Fact]
    public async Task Polling_session_addressed_as_websocket_without_an_upgrade_is_code_3()
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);
        var open = await client.HandshakeAsync();

        var response = await client.GetAsync(EngineIOWireClient.Query(4, "websocket", open.Sid));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal((3, "Bad request"), response.Error());
    }

    [Theory]
    [InlineData("transport=polling")]
    [InlineData("EIO=abc&transport=polling")]
    [InlineData("EIO=5&transport=polling")]
    public async Task Unsupported_protocol_version_is_code_5(string query)
    {
        await AssertErrorAsync(HttpMethod.Get, query, 5, "Unsupported protocol version");
    }

    private static async Task AssertErrorAsync(HttpMethod method, string query, int code, string message, string? body = null)
    {
        await using var server = await WireServer.StartEngineIOAsync();
        using var client = new EngineIOWireClient(server);

        var response = await client.SendAsync(method, query, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/json", response.Message.Content.Headers.ContentType?.MediaType);
        Assert.Equal((code, message), response.Error());
    }
}
