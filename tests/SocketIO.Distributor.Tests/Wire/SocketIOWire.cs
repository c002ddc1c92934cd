using System.Text.Json;

namespace SocketIO.Distributor.Tests.Wire;

/// <summary>Raw Socket.IO v5 steps over a WebSocket, after <c>initSocketIOConnection</c> in the reference suite.</summary>
internal static class SocketIOWire
{
    /// <summary>Opens an Engine.IO v4 WebSocket session and consumes its open packet.</summary>
    public static async Task<WireWebSocket> OpenEngineAsync(WireServer server, bool autoPong = true)
    {
        var socket = await WireWebSocket.ConnectAsync(server.WebSocketUri("EIO=4&transport=websocket"), autoPong);
        Assert.StartsWith("0", await socket.ReceiveTextAsync(), StringComparison.Ordinal);
        return socket;
    }

    /// <summary>Opens a session and connects to the main namespace: sends <c>40</c>, consumes the CONNECT and the <c>auth</c> event.</summary>
    public static async Task<WireWebSocket> ConnectMainAsync(WireServer server)
    {
        var socket = await OpenEngineAsync(server);
        await socket.SendTextAsync("40");
        AssertConnect(await socket.ReceiveTextAsync(), "40");
        Assert.Equal("42[\"auth\",{}]", await socket.ReceiveTextAsync());
        return socket;
    }

    /// <summary>Connects an open session to <c>/custom</c> and consumes the CONNECT and the <c>auth</c> event.</summary>
    public static async Task ConnectCustomAsync(WireWebSocket socket)
    {
        await socket.SendTextAsync("40/custom,");
        AssertConnect(await socket.ReceiveTextAsync(), "40/custom,");
        Assert.Equal("42/custom,[\"auth\",{}]", await socket.ReceiveTextAsync());
    }

    /// <summary>Asserts a CONNECT answer <c>{prefix}{"sid":"..."}</c> whose only key is a string sid; returns the sid.</summary>
    public static string AssertConnect(string packet, string prefix)
    {
        Assert.StartsWith(prefix, packet, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(packet[prefix.Length..]);
        Assert.Equal(["sid"], json.RootElement.EnumerateObject().Select(p => p.Name));
        var sid = json.RootElement.GetProperty("sid");
        Assert.Equal(JsonValueKind.String, sid.ValueKind);
        return sid.GetString()!;
    }

    /// <summary>
    /// Splits an EVENT/BINARY_EVENT with an ack id, e.g. <c>42/custom,17["x"]</c> with prefix <c>42/custom,</c>,
    /// into the id and the JSON array.
    /// </summary>
    public static (int AckId, string Json) SplitAckId(string packet, string prefix)
    {
        Assert.StartsWith(prefix, packet, StringComparison.Ordinal);
        var rest = packet[prefix.Length..];
        var bracket = rest.IndexOf('[', StringComparison.Ordinal);
        Assert.True(bracket > 0, $"Expected an ack id after '{prefix}' in {packet}.");
        return (int.Parse(rest[..bracket], System.Globalization.CultureInfo.InvariantCulture), rest[bracket..]);
    }
}
