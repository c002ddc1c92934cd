using System.Net;

namespace SocketIO.Distributor.EngineIO;

/// <summary>What the client's first HTTP request said: kept for the layers above (the Socket.IO handshake).</summary>
/// <param name="Query">The query string parameters.</param>
/// <param name="Headers">The request headers (names in lower case).</param>
/// <param name="RemoteAddress">The client's address as seen by this server.</param>
/// <param name="Url">The request path and query.</param>
/// <param name="Secure">True if the request came over TLS.</param>
/// <param name="IssuedAt">When the handshake happened.</param>
public sealed record EngineHandshake(
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    IPAddress? RemoteAddress,
    string Url,
    bool Secure,
    DateTimeOffset IssuedAt);
