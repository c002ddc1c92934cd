using System.Security.Cryptography;
using System.Text.Json;
using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>How a backend reaches the bus, names itself, and how long it waits for answers.</summary>
public sealed class BackendOptions
{
    /// <summary>The Redis connection, channel prefix and heartbeat settings, shared with the distributors.</summary>
    public BusOptions Bus { get; set; } = new();

    /// <summary>This backend's id in the cluster; null (the default) for a random 8-character id.</summary>
    public string? BackendId { get; set; }

    /// <summary>How long <see cref="BackendSocket.EmitWithAckAsync"/> waits for the client by default. Default 10 s.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="BackendSocket.JoinAsync"/> and <see cref="BackendSocket.LeaveAsync"/> wait for the distributor. Default 5 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long fetch, join, leave and disconnect across the cluster wait for every distributor's reply. Default 5 s.</summary>
    public TimeSpan RemoteQueryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long <see cref="SocketIOBackend.StopAsync"/> lets the backend drain: after it announced its
    /// departure (distributors move its sockets to another replica with a recovery CONNECT, so clients see
    /// no disconnect), it keeps handling what already reached its inbox for at most this long, then
    /// unsubscribes. Zero stops at once. Default 5 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most bus messages waiting in the backend's inbox pipeline (read by the backend's own loop, off
    /// Redis's delivery thread). When full, a message is dropped and counted
    /// (<see cref="BackendStatistics.InboxOverflows"/>), and a client event with an ack id is answered
    /// with a <c>BACKEND_OVERLOADED</c> error ack. Default 100,000.
    /// </summary>
    public int InboxCapacity { get; set; } = 100_000;

    /// <summary>
    /// How often the backend tells each distributor how far it has handled what that distributor sent
    /// (only when it moved), so that events without ack a crashed backend never handled are counted as
    /// possibly lost (the events handled within the last interval before a crash are counted too: the
    /// count errs on the side of "possibly"). Nothing is sent while idle. Default 100 ms.
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// When hosted (<c>AddSocketIOBackend</c>): gives the GC's spare memory back to the system once the process goes
    /// quiet after a busy stretch, such as a burst of connections (<see cref="SocketIO.Distributor.Bus.QuietMemoryTrim"/>: one
    /// compacting, decommitting collection per quiet stretch). Default true.
    /// </summary>
    public bool TrimMemoryWhenQuiet { get; set; } = true;

    /// <summary>How emit arguments are serialized and received arguments read. Default: web defaults (camelCase).</summary>
    public JsonSerializerOptions Json { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>Checks the options; returns one message per problem, saying what to fix.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Bus is null)
        {
            problems.Add("Bus must be set (the Redis connection and channel prefix the distributors use).");
        }
        else
        {
            problems.AddRange(Bus.Validate().Select(p => "Bus." + p));
        }

        if (BackendId is not null && (BackendId.Length is 0 or > 64 || BackendId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            problems.Add($"BackendId must be 1 to 64 characters without spaces, or null for a random id (got '{BackendId}').");
        }

        AddIfNotPositive(problems, nameof(AckTimeout), AckTimeout);
        AddIfNotPositive(problems, nameof(CommandTimeout), CommandTimeout);
        AddIfNotPositive(problems, nameof(RemoteQueryTimeout), RemoteQueryTimeout);
        AddIfNotPositive(problems, nameof(ProgressInterval), ProgressInterval);
        if (DrainTimeout < TimeSpan.Zero || DrainTimeout > TimeSpan.FromHours(1))
        {
            problems.Add($"DrainTimeout must be between 0 (stop at once) and an hour (got {DrainTimeout}).");
        }

        if (InboxCapacity < 1)
        {
            problems.Add($"InboxCapacity must be at least 1 (got {InboxCapacity}).");
        }
        if (Json is null)
        {
            problems.Add("Json must be set; use new JsonSerializerOptions(JsonSerializerDefaults.Web) for the defaults.");
        }

        return problems;
    }

    /// <summary>A random 8-character base64url id.</summary>
    internal static string NewId()
    {
        Span<byte> bytes = stackalloc byte[6];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    private static void AddIfNotPositive(List<string> problems, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            problems.Add($"{name} must be positive and at most a day (got {value}).");
        }
    }
}
