using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Node;

/// <summary>
/// The interactive Node client driver (<see cref="NodeClientDriver"/>) against the echo host, with
/// socket.io-client v4 and v2: the driver must connect, emit, ack both ways, carry binary, report
/// connect errors and disconnects, and inject raw packets, before cluster tests can rely on it.
/// </summary>
public sealed class NodeClientDriverTests(ITestOutputHelper output)
{
    private static readonly byte[] Binary = [0, 1, 2, 3, 127, 128, 254, 255];

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Two_namespaces_share_one_connection_and_get_their_auth(string version)
    {
        await using var server = await EchoServer.StartAsync();
        await using var driver = await NodeClientDriver.StartAsync(version, output);

        await driver.ConnectAsync("root", server.Url, "/", new { token = "root-token" });
        await driver.ConnectAsync("custom", server.Url, "/custom", new { token = "custom-token" });

        var rootConnect = await driver.WaitForEventAsync("root", "$connect");
        var customConnect = await driver.WaitForEventAsync("custom", "$connect");
        Assert.Equal(rootConnect.EngineId, customConnect.EngineId);

        // v2 joins the root namespace implicitly (no CONNECT packet), so its handshake auth is empty.
        var rootAuth = (await driver.WaitForEventAsync("root", "auth")).Args[0];
        Assert.Equal(version == "v4" ? """{"token":"root-token"}""" : "{}", rootAuth.GetRawText());
        var customAuth = (await driver.WaitForEventAsync("custom", "auth")).Args[0];
        Assert.Equal("""{"token":"custom-token"}""", customAuth.GetRawText());
    }

    [Theory]
    [InlineData("v4", "websocket")]
    [InlineData("v4", "polling")]
    [InlineData("v2", "websocket")]
    [InlineData("v2", "polling")]
    public async Task Events_and_acks_carry_json_and_binary(string version, string transport)
    {
        await using var server = await EchoServer.StartAsync();
        await using var driver = await NodeClientDriver.StartAsync(version, output);
        await driver.ConnectAsync("a", server.Url, "/custom", transports: [transport]);

        await driver.EmitAsync("a", "message", "text", 42, Binary, new { file = Binary, name = "f.bin" });
        var back = await driver.WaitForEventAsync("a", "message-back");
        Assert.Equal("text", back.String(0));
        Assert.Equal(42, back.Args[1].GetInt32());
        Assert.Equal(Binary, back.Bytes(2));
        Assert.Equal(Binary, DriverJson.DecodeBinary(back.Args[3].GetProperty("file")));
        Assert.False(back.HasAck);

        var ack = await driver.EmitWithAckAsync("a", "message-with-ack", ["ack me", Binary]);
        Assert.Equal("ack me", ack[0].GetString());
        Assert.Equal(Binary, DriverJson.DecodeBinary(ack[1]));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Each_wait_takes_one_event_and_Count_sees_them_all(string version)
    {
        await using var server = await EchoServer.StartAsync();
        await using var driver = await NodeClientDriver.StartAsync(version, output);
        await driver.ConnectAsync("a", server.Url, "/custom");

        await driver.EmitAsync("a", "message", "first");
        await driver.EmitAsync("a", "message", "second");

        Assert.Equal("first", (await driver.WaitForEventAsync("a", "message-back")).String(0));
        Assert.Equal("second", (await driver.WaitForEventAsync("a", "message-back")).String(0));
        Assert.Equal(2, driver.Count("a", "message-back"));
        Assert.Equal(0, driver.Count("b", "message-back"));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Server_acks_are_answered_with_the_reply_set(string version)
    {
        await using var server = await EchoServer.StartAsync();
        await using var driver = await NodeClientDriver.StartAsync(version, output);
        await driver.ConnectAsync("a", server.Url, "/");

        await driver.SetAckReplyAsync("a", "server-ack-me", ["acked", Binary]);
        await driver.EmitAsync("a", "request-server-ack", "please ack");
        var asked = await driver.WaitForEventAsync("a", "server-ack-me");
        Assert.True(asked.HasAck);
        Assert.Equal("please ack", asked.String(0));
        var received = await driver.WaitForEventAsync("a", "server-ack-received");
        Assert.Equal("acked", received.String(0));
        Assert.Equal(Binary, received.Bytes(1));

        // A null reply echoes what the server sent.
        await driver.SetAckReplyAsync("a", "server-ack-me", null);
        await driver.EmitAsync("a", "request-server-ack", "echo", Binary);
        var echoed = await driver.WaitForEventAsync("a", "server-ack-received");
        Assert.Equal("echo", echoed.String(0));
        Assert.Equal(Binary, echoed.Bytes(1));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Refused_namespace_reports_the_servers_message(string version)
    {
        await using var server = await EchoServer.StartAsync();
        await using var driver = await NodeClientDriver.StartAsync(version, output);

        Assert.Equal("Invalid namespace", await driver.TryConnectAsync("nope", server.Url, "/nope"));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => driver.ConnectAsync("nope", server.Url, "/nope"));
        Assert.Contains("Invalid namespace", refused.Message, StringComparison.Ordinal);
        Assert.Equal("Invalid namespace", (await driver.WaitForEventAsync("nope", "$connect_error")).Message);

        // The name is free again, and the refusal did not break the connection for others.
        Assert.Null(await driver.TryConnectAsync("nope", server.Url, "/custom"));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task A_silent_server_times_out(string version)
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        await using var driver = await NodeClientDriver.StartAsync(version, output);

        Assert.Equal("timeout", await driver.TryConnectAsync("a", url, "/", timeout: TimeSpan.FromMilliseconds(500)));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Disconnect_is_reported_with_its_reason(string version)
    {
        await using var server = await EchoServer.StartAsync();
        await using var driver = await NodeClientDriver.StartAsync(version, output);
        await driver.ConnectAsync("a", server.Url, "/custom");

        await driver.DisconnectAsync("a");

        Assert.Equal("io client disconnect", (await driver.WaitForDisconnectAsync("a")).Reason);
    }

    [Theory]
    [InlineData("v4", "websocket")]
    [InlineData("v4", "polling")]
    [InlineData("v2", "websocket")]
    [InlineData("v2", "polling")]
    public async Task Raw_packets_reach_the_server_unencoded(string version, string transport)
    {
        await using var server = await EchoServer.StartAsync();
        await using var driver = await NodeClientDriver.StartAsync(version, output);
        await driver.ConnectAsync("a", server.Url, "/custom", transports: [transport]);

        await driver.SendRawAsync("a", """42/custom,["message","raw",{"n":1}]""");
        var back = await driver.WaitForEventAsync("a", "message-back");
        Assert.Equal("""["raw",{"n":1}]""", JsonSerializer.Serialize(back.Args));

        // A packet the server cannot parse ends the connection (the reference server closes the transport).
        // Over polling the client sees "transport close" if a poll was pending (it gets the close packet)
        // and "transport error" if its next poll finds the session gone (HTTP 400) — as with the reference.
        await driver.SendRawAsync("a", "42/custom,[not json");
        var reason = (await driver.WaitForDisconnectAsync("a")).Reason;
        if (transport == "websocket")
        {
            Assert.Equal("transport close", reason);
        }
        else
        {
            Assert.Contains(reason, new[] { "transport close", "transport error" });
        }
    }
}
