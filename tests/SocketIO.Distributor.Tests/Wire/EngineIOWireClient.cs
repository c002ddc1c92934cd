using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.Wire;

/// <summary>An HTTP answer reduced to what the wire tests check.</summary>
internal sealed record WireResponse(HttpStatusCode Status, string Body, HttpResponseMessage Message)
{
    /// <summary>The Engine.IO error body <c>{"code":N,"message":"..."}</c>, asserted to be present.</summary>
    public (int Code, string Message) Error()
    {
        using var json = JsonDocument.Parse(Body);
        return (json.RootElement.GetProperty("code").GetInt32(), json.RootElement.GetProperty("message").GetString()!);
    }
}

/// <summary>The Engine.IO open packet's fields.</summary>
internal sealed record OpenPacket(string Sid, string[] Upgrades, int PingInterval, int PingTimeout, int? MaxPayload, string[] Keys)
{
    public static OpenPacket Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new OpenPacket(
            root.GetProperty("sid").GetString()!,
            [.. root.GetProperty("upgrades").EnumerateArray().Select(u => u.GetString()!)],
            root.GetProperty("pingInterval").GetInt32(),
            root.GetProperty("pingTimeout").GetInt32(),
            root.TryGetProperty("maxPayload", out var max) ? max.GetInt32() : null,
            [.. root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)]);
    }
}

/// <summary>
/// Raw Engine.IO over HTTP long-polling and WebSocket, after the <c>eioHandshake</c> / <c>eioPoll</c> /
/// <c>eioPush</c> helpers of the reference test suites. Nothing here interprets the protocol beyond
/// splitting payloads: the tests assert on the exact strings.
/// </summary>
internal sealed class EngineIOWireClient : IDisposable
{
    /// <summary>The v4 payload separator between packets in one HTTP body.</summary>
    public const char RecordSeparator = '\u001e';

    private readonly HttpClient _http;

    public EngineIOWireClient(WireServer server)
    {
        Server = server;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = Eventually.DefaultTimeout,
        };
    }

    public WireServer Server { get; }

    public static string Query(int eio, string transport, string? sid = null) =>
        sid is null ? $"EIO={eio}&transport={transport}" : $"EIO={eio}&transport={transport}&sid={Uri.EscapeDataString(sid)}";

    /// <summary>Sends <paramref name="method"/> to the endpoint with the raw <paramref name="query"/>.</summary>
    public async Task<WireResponse> SendAsync(HttpMethod method, string query, string? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, Server.HttpUri(query));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        }

        configure?.Invoke(request);
        var response = await _http.SendAsync(request).WithTimeout($"{method} {query}");
        var text = await response.Content.ReadAsStringAsync();
        return new WireResponse(response.StatusCode, text, response);
    }

    public Task<WireResponse> GetAsync(string query) => SendAsync(HttpMethod.Get, query);

    /// <summary>Opens a v4 long-polling session and returns its open packet.</summary>
    public async Task<OpenPacket> HandshakeAsync()
    {
        var response = await GetAsync(Query(4, "polling"));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("0", response.Body, StringComparison.Ordinal);
        return OpenPacket.Parse(response.Body[1..]);
    }

    /// <summary>
    /// Opens a v3 long-polling session (<c>length:packet</c> framing). Returns its open packet and any
    /// packets the server put after it in the same response (a Socket.IO server may add its <c>40</c>).
    /// </summary>
    public async Task<(OpenPacket Open, List<string> Following)> HandshakeV3Async()
    {
        var response = await GetAsync(Query(3, "polling"));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var packets = DecodeV3Payload(response.Body);
        Assert.StartsWith("0", packets[0], StringComparison.Ordinal);
        return (OpenPacket.Parse(packets[0][1..]), packets[1..]);
    }

    /// <summary>One GET on the session (blocks server-side until something is queued or a ping is due).</summary>
    public Task<WireResponse> PollAsync(string sid, int eio = 4) => GetAsync(Query(eio, "polling", sid));

    /// <summary>One POST of <paramref name="body"/> on the session.</summary>
    public Task<WireResponse> PushAsync(string sid, string body, int eio = 4) =>
        SendAsync(HttpMethod.Post, Query(eio, "polling", sid), body);

    /// <summary>POSTs and asserts the server's <c>200 ok</c>.</summary>
    public async Task PushOkAsync(string sid, string body, int eio = 4)
    {
        var response = await PushAsync(sid, body, eio);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("ok", response.Body);
    }

    /// <summary>
    /// Polls until <paramref name="count"/> packets other than pings have arrived (pings are answered
    /// with a pong, so the session stays up), and returns them in order.
    /// </summary>
    public async Task<List<string>> PollPacketsAsync(string sid, int count)
    {
        var packets = new List<string>();
        while (packets.Count < count)
        {
            var response = await PollAsync(sid);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            foreach (var packet in response.Body.Split(RecordSeparator))
            {
                if (packet == "2")
                {
                    await PushOkAsync(sid, "3");
                }
                else
                {
                    packets.Add(packet);
                }
            }
        }

        Assert.Equal(count, packets.Count);
        return packets;
    }

    /// <summary>Splits a v3 (EIO=3) text payload <c>len:packet len:packet…</c>, lengths in UTF-16 units.</summary>
    public static List<string> DecodeV3Payload(string payload)
    {
        var packets = new List<string>();
        var i = 0;
        while (i < payload.Length)
        {
            var colon = payload.IndexOf(':', i);
            Assert.True(colon > i, $"Malformed v3 payload: {payload}");
            var length = int.Parse(payload.AsSpan(i, colon - i), System.Globalization.CultureInfo.InvariantCulture);
            packets.Add(payload.Substring(colon + 1, length));
            i = colon + 1 + length;
        }

        return packets;
    }

    /// <summary>Encodes one v3 (EIO=3) packet as <c>len:packet</c>.</summary>
    public static string EncodeV3(string packet) => $"{packet.Length}:{packet}";

    public void Dispose() => _http.Dispose();
}
