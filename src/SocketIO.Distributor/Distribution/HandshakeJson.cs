using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Builds the handshake a backend receives with a CONNECT, shaped like socket.io's
/// <c>socket.handshake</c>: <c>{"headers":{...},"query":{...},"auth":{...},"address":"...",
/// "url":"...","secure":false,"issued":0,"time":"...","xdomain":false,"extra":...}</c>.
/// </summary>
internal static class HandshakeJson
{
    public static byte[] Build(ClientSocket socket, IList<string> forwardedHeaders, object? extra)
    {
        var handshake = socket.Handshake;
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("headers");
            var all = forwardedHeaders.Contains("*");
            foreach (var (name, value) in handshake.Headers)
            {
                if (all || forwardedHeaders.Contains(name))
                {
                    json.WriteString(name, value);
                }
            }

            json.WriteEndObject();
            json.WriteStartObject("query");
            foreach (var (name, value) in handshake.Query)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WritePropertyName("auth");
            json.WriteRawValue(socket.Auth.Span, skipInputValidation: true);
            json.WriteString("address", handshake.RemoteAddress?.ToString() ?? string.Empty);
            json.WriteString("url", handshake.Url);
            json.WriteBoolean("secure", handshake.Secure);
            json.WriteNumber("issued", handshake.IssuedAt.ToUnixTimeMilliseconds());
            json.WriteString("time", handshake.IssuedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteBoolean("xdomain", handshake.Headers.ContainsKey("origin"));
            json.WritePropertyName("extra");
            if (extra is null)
            {
                json.WriteNullValue();
            }
            else
            {
                JsonSerializer.Serialize(json, extra, extra.GetType(), JsonSerializerOptions.Web);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
