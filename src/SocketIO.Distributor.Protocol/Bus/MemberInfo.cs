using System.Text.Json.Serialization;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// A process as recorded in the members hash, refreshed by its heartbeat. A member that writes an
/// alive key (<see cref="HasAliveKey"/>) is dead once that key is gone (its TTL ran out on Redis's
/// clock); for older members without one, a member whose <see cref="ExpiresAt"/> has passed is dead.
/// Any process may remove a dead member's entry.
/// </summary>
public sealed record MemberInfo
{
    private readonly IReadOnlyList<string> _namespacePatterns = [];

    /// <summary>The member id.</summary>
    public required string Id { get; init; }

    /// <summary>Distributor or backend.</summary>
    public required MemberKind Kind { get; init; }

    /// <summary>The namespaces it serves.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>
    /// Backends: regular expressions (.NET syntax) of the dynamic namespaces it creates on demand (socket.io's
    /// <c>io.of(/regex/)</c>); a distributor routes a CONNECT to a matching name here before the namespace exists.
    /// </summary>
    public IReadOnlyList<string> NamespacePatterns
    {
        get => _namespacePatterns;

        // A record written before this field existed deserializes it as null.
        init => _namespacePatterns = value ?? [];
    }

    /// <summary>
    /// Backends: true if it decides dynamic namespaces with a function (socket.io's <c>io.of((name, auth, next) => ...)</c>):
    /// a distributor may send it a CONNECT for any name no backend serves or matches; it answers or refuses.
    /// </summary>
    public bool AcceptsAnyNamespace { get; init; }

    /// <summary>Connected sockets per namespace.</summary>
    public IReadOnlyDictionary<string, int> Sockets { get; init; } = new Dictionary<string, int>();

    /// <summary>Open client connections (distributors).</summary>
    public int Connections { get; init; }

    /// <summary>Where it runs (host name and process id), for operators.</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary>Where clients reach it (distributors), for operators.</summary>
    public string Endpoint { get; init; } = string.Empty;

    /// <summary>When it started (Unix milliseconds).</summary>
    public long StartedAt { get; init; }

    /// <summary>When the entry expires unless refreshed (Unix milliseconds, by the writer's clock: informational when <see cref="HasAliveKey"/>).</summary>
    public long ExpiresAt { get; init; }

    /// <summary>True if the member keeps an alive key (<see cref="BusChannels.Alive"/>): its liveness is that key's existence.</summary>
    public bool HasAliveKey { get; init; }

    /// <summary>
    /// True if this process splits batches (<see cref="MessageBatch"/>) on its channels, so others may send
    /// it several messages in one. False in an entry written before batches existed.
    /// </summary>
    public bool ReadsBatches { get; init; }

    /// <summary>
    /// Distributors: true if it answers a backend's <see cref="MemberLeaving"/> with <see cref="DepartureSeen"/>
    /// on that backend's inbox once it moved its sockets (a draining backend waits for that instead of a
    /// silence). False in an entry written before departures were acknowledged.
    /// </summary>
    public bool AcknowledgesDepartures { get; init; }

    /// <summary>
    /// Backends: true if, when it drains, it waits for each distributor's <see cref="DepartureSeen"/> (so only
    /// such a backend is sent one: an older backend would log it as unknown). False in an entry written before.
    /// </summary>
    public bool AwaitsDepartureSeen { get; init; }

    /// <summary>
    /// True while the member drains after announcing its departure (<see cref="MemberLeaving"/>): it still
    /// finishes what it received, but it is not live for anyone. A member that reads the entry before
    /// the announcement reached it treats it as a departure, not a death; one that starts meanwhile never
    /// picks it.
    /// </summary>
    public bool Leaving { get; init; }
}

/// <summary>Source-generated JSON for the members hash.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(MemberInfo))]
public sealed partial class MemberInfoJsonContext : JsonSerializerContext;
