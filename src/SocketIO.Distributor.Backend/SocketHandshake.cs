using System.Text.Json;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// What the client sent when it connected, as the distributor passed it on (socket.io's
/// <c>socket.handshake</c>): headers, query, auth payload, address, plus whatever the
/// distributor's connect hook added (<see cref="Extra"/>).
/// </summary>
public sealed class SocketHandshake
{
    private static readonly JsonElement EmptyObject = JsonSerializer.Deserialize<JsonElement>("{}"u8);

    /// <summary>The parsed fields: read from <see cref="Json"/> on first use, so an idle socket keeps only the bytes.</summary>
    private Fields? _fields;

    private SocketHandshake(ReadOnlyMemory<byte> json, Fields? fields)
    {
        Json = json;
        _fields = fields;
    }

    /// <summary>The request headers the distributor passes on, by lower-case name.</summary>
    public IReadOnlyDictionary<string, string> Headers => Read().Headers;

    /// <summary>The query string parameters of the connection.</summary>
    public IReadOnlyDictionary<string, string> Query => Read().Query;

    /// <summary>The auth payload of the namespace CONNECT (an empty object when the client sent none).</summary>
    public JsonElement Auth => Read().Auth;

    /// <summary>The client's remote address.</summary>
    public string Address => Read().Address;

    /// <summary>The request URL of the connection.</summary>
    public string Url => Read().Url;

    /// <summary>True if the connection is over TLS.</summary>
    public bool Secure => Read().Secure;

    /// <summary>True if the request is cross-origin.</summary>
    public bool XDomain => Read().XDomain;

    /// <summary>When the connection was made (Unix milliseconds).</summary>
    public long Issued => Read().Issued;

    /// <summary>When the connection was made, as the distributor wrote it (ISO 8601).</summary>
    public string Time => Read().Time;

    /// <summary>What the distributor's connect hook added, or null.</summary>
    public JsonElement? Extra => Read().Extra;

    /// <summary>The handshake as JSON, as the distributor sent it.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>An empty handshake.</summary>
    internal static SocketHandshake Empty { get; } = new(ReadOnlyMemory<byte>.Empty, Fields.None);

    /// <summary>
    /// Checks the handshake JSON of a connect request or remote reply and keeps a copy of its bytes
    /// (exactly its size: the bus message it came in, possibly pooled, is not held); its fields are
    /// read on first use.
    /// </summary>
    /// <exception cref="JsonException">The JSON is not an object, or not well-formed.</exception>
    internal static SocketHandshake Parse(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A handshake must be a JSON object.");
        }

        // Validates the whole object, and that nothing follows it, without allocating.
        reader.Skip();
        while (reader.Read())
        {
        }

        return new SocketHandshake(json.ToArray(), fields: null);
    }

    private Fields Read()
    {
        if (Volatile.Read(ref _fields) is { } fields)
        {
            return fields;
        }

        // Two threads may both parse; one result wins and both return it.
        return Interlocked.CompareExchange(ref _fields, Fields.Parse(Json), null) ?? _fields!;
    }

    private sealed class Fields
    {
        public static readonly Fields None = new();

        public IReadOnlyDictionary<string, string> Headers { get; private init; } = new Dictionary<string, string>();

        public IReadOnlyDictionary<string, string> Query { get; private init; } = new Dictionary<string, string>();

        public JsonElement Auth { get; private init; } = EmptyObject;

        public string Address { get; private init; } = string.Empty;

        public string Url { get; private init; } = string.Empty;

        public bool Secure { get; private init; }

        public bool XDomain { get; private init; }

        public long Issued { get; private init; }

        public string Time { get; private init; } = string.Empty;

        public JsonElement? Extra { get; private init; }

        public static Fields Parse(ReadOnlyMemory<byte> json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new Fields
            {
                Headers = ReadStrings(root, "headers", StringComparer.OrdinalIgnoreCase),
                Query = ReadStrings(root, "query", StringComparer.Ordinal),
                Auth = root.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object ? auth.Clone() : EmptyObject,
                Address = ReadString(root, "address"),
                Url = ReadString(root, "url"),
                Secure = root.TryGetProperty("secure", out var secure) && secure.ValueKind == JsonValueKind.True,
                XDomain = root.TryGetProperty("xdomain", out var xdomain) && xdomain.ValueKind == JsonValueKind.True,
                Issued = root.TryGetProperty("issued", out var issued) && issued.TryGetInt64(out var ms) ? ms : 0,
                Time = ReadString(root, "time"),
                Extra = root.TryGetProperty("extra", out var extra) && extra.ValueKind != JsonValueKind.Null ? extra.Clone() : null,
            };
        }
    }

    private static string ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static Dictionary<string, string> ReadStrings(JsonElement root, string name, StringComparer comparer)
    {
        var values = new Dictionary<string, string>(comparer);
        if (!root.TryGetProperty(name, out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return values;
        }

        foreach (var property in map.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Array => string.Join(", ", property.Value.EnumerateArray().Select(Text)),
                _ => Text(property.Value),
            };
        }

        return values;
    }

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
