using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The head of a connection's first HTTP request, read before Kestrel sees it, when it is a plain
/// Engine.IO WebSocket handshake that the bare path can serve: <c>GET {path}?EIO=..&amp;transport=websocket</c>
/// over HTTP/1.1 with a valid RFC 6455 upgrade, no sid and no body. Anything else (another path, a
/// polling request, an upgrade with a sid, a malformed or unusual request) is <see cref="PeekResult.Http"/>:
/// Kestrel's HTTP pipeline gets the bytes untouched and answers as it always did.
/// </summary>
internal sealed class BareWebSocketRequest
{
    /// <summary>Heads longer than this go to the HTTP path (Kestrel has its own limits and errors).</summary>
    public const int MaxHeadLength = 8 * 1024;

    private BareWebSocketRequest(string target, string query, Dictionary<string, string> headers, string key)
    {
        Target = target;
        RawQuery = query;
        Headers = headers;
        WebSocketKey = key;
    }

    /// <summary>The request target (path and query) as sent.</summary>
    public string Target { get; }

    /// <summary>The query string, with its leading <c>?</c>.</summary>
    public string RawQuery { get; }

    /// <summary>The headers, names in lower case; repeated headers joined with commas (as ASP.NET Core's <c>StringValues</c>).</summary>
    public Dictionary<string, string> Headers { get; }

    /// <summary>The client's <c>Sec-WebSocket-Key</c>.</summary>
    public string WebSocketKey { get; }

    /// <summary>The decoded query parameters (the last value of a repeated name wins, joined as ASP.NET Core does).</summary>
    public Dictionary<string, string> Query()
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in QueryHelpers.ParseQuery(RawQuery))
        {
            query[key] = value.ToString();
        }

        return query;
    }

    /// <summary>What the bytes received so far say.</summary>
    public enum PeekResult
    {
        /// <summary>Not enough bytes yet to decide.</summary>
        NeedMore,

        /// <summary>Leave the connection to the HTTP pipeline.</summary>
        Http,

        /// <summary>A WebSocket handshake the bare path serves; the head's length is known.</summary>
        Bare,
    }

    /// <summary>Looks at the first bytes of a connection.</summary>
    /// <param name="buffer">The bytes received so far (nothing consumed).</param>
    /// <param name="path">The Engine.IO path, with trailing slash.</param>
    /// <param name="request">The request when the result is <see cref="PeekResult.Bare"/>.</param>
    /// <param name="headLength">The head's length in bytes (request line, headers, empty line) when bare.</param>
    /// <returns>The decision.</returns>
    public static PeekResult Peek(ReadOnlySequence<byte> buffer, string path, out BareWebSocketRequest? request, out int headLength)
    {
        request = null;
        headLength = 0;
        var length = (int)Math.Min(buffer.Length, MaxHeadLength);
        var bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        buffer.Slice(0, length).CopyTo(bytes);

        // Decide on the prefix as early as possible, so other requests (and TLS, HTTP/2) are handed on at once.
        var prefix = "GET " + path + "?";
        for (var i = 0; i < Math.Min(length, prefix.Length); i++)
        {
            if (bytes[i] != prefix[i])
            {
                return PeekResult.Http;
            }
        }

        var end = bytes.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return length >= MaxHeadLength ? PeekResult.Http : PeekResult.NeedMore;
        }

        headLength = end + 4;
        request = Parse(bytes[..end], path);
        return request is null ? PeekResult.Http : PeekResult.Bare;
    }

    private static BareWebSocketRequest? Parse(ReadOnlySpan<byte> head, string path)
    {
        foreach (var b in head)
        {
            // Only printable ASCII, tabs and line ends: anything else is Kestrel's to judge.
            if (b >= 0x7F || (b < 0x20 && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n'))
            {
                return null;
            }
        }

        var text = Encoding.ASCII.GetString(head);
        var lines = text.Split("\r\n");
        var requestLine = lines[0];
        if (!requestLine.EndsWith(" HTTP/1.1", StringComparison.Ordinal) || lines.Any(line => line.Contains('\n', StringComparison.Ordinal)))
        {
            return null;
        }

        var target = requestLine["GET ".Length..^" HTTP/1.1".Length];
        if (target.Contains(' ', StringComparison.Ordinal) || target.Contains('#', StringComparison.Ordinal) || !target.StartsWith(path + "?", StringComparison.Ordinal))
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
            {
                // Obsolete line folding, a missing colon, a bad name: let Kestrel answer.
                return null;
            }

            // One shared lower-case name per header name, not a copy per connection (the handshake keeps them).
            var name = LowerCaseHeaderNames.Of(line[..colon]);
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (name == "host" && headers.ContainsKey(name))
            {
                // Two Host headers: Kestrel refuses the request (400); so does the HTTP path.
                return null;
            }

            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + "," + value : value;
        }

        if (!headers.ContainsKey("host") || headers.ContainsKey("content-length") || headers.ContainsKey("transfer-encoding")
            || !HasToken(headers, "connection", "upgrade") || !HasToken(headers, "upgrade", "websocket")
            || !headers.TryGetValue("sec-websocket-version", out var version) || version != "13"
            || !headers.TryGetValue("sec-websocket-key", out var key) || !IsValidKey(key))
        {
            return null;
        }

        var query = target[path.Length..];
        var parsed = QueryHelpers.ParseQuery(query);
        if (parsed.TryGetValue("transport", out var transport) && transport.ToString() == "websocket"
            && !parsed.ContainsKey("sid"))
        {
            return new BareWebSocketRequest(target, query, headers, key);
        }

        return null;
    }

    private static bool IsToken(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasToken(Dictionary<string, string> headers, string name, string token)
    {
        if (!headers.TryGetValue(name, out var value))
        {
            return false;
        }

        foreach (var part in value.Split(','))
        {
            if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>As ASP.NET Core: the key must be 16 bytes in base64.</summary>
    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }
}
