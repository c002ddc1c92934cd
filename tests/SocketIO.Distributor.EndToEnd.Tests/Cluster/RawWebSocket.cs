using System.Net.WebSockets;
using System.Text;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster;

/// <summary>Raw Engine.IO over a real <see cref="ClientWebSocket"/>: whole text messages out and in, pings answered.</summary>
internal static class RawWebSocket
{
    /// <summary>Sends one text message.</summary>
    public static async Task SendAsync(ClientWebSocket ws, string text) =>
        await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next text message that is not a ping (pings are answered).</summary>
    public static async Task<(WebSocketMessageType Type, string Text, byte[] Bytes)> ReceiveTextAsync(ClientWebSocket ws)
    {
        while (true)
        {
            var message = await ReceiveAsync(ws);
            if (message.Type == WebSocketMessageType.Text && message.Text == "2")
            {
                await SendAsync(ws, "3");
                continue;
            }

            return message;
        }
    }

    /// <summary>The next whole message, text or binary.</summary>
    public static async Task<(WebSocketMessageType Type, string Text, byte[] Bytes)> ReceiveAsync(ClientWebSocket ws)
    {
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        var buffer = new byte[64 * 1024];
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), timeout.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        var bytes = buffer[..length];
        return (result.MessageType, Encoding.UTF8.GetString(bytes), bytes);
    }
}
