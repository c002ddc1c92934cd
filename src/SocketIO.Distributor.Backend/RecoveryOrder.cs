using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SocketIO.Distributor.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Offsets given by Redis, in the order distributors receive the namespace channel's messages, for any
/// number of backend replicas: one Lua script per recoverable emit takes the next score (Redis's clock,
/// <c>TIME</c>, in the same units as <see cref="Protocol.Bus.RecoveryOffset"/>, and above the log's
/// highest score), writes it into the log entry and the broadcast where the emit left a placeholder of the
/// same width, adds the entry to the log and publishes the broadcast, all in one atomic step. Without it
/// each replica numbers by its own clock, and an emit of another replica in the same millisecond (or with
/// a skewed clock) may be repeated or missed by a recovery.
/// <para>
/// Not used (the backend's clock numbers, as before; the reason is logged once) when the server runs no
/// such script (no Lua, or no <c>PUBLISH</c>, <c>SPUBLISH</c> or <c>TIME</c> in scripts), or when
/// <see cref="ConnectionStateRecovery.OffsetsFromRedis"/> is false. On a Redis Cluster with sharded pub/sub
/// the script runs too: the log's key is in the slot of the namespace channel
/// (<see cref="Protocol.Bus.RecoveryKeys.ReplayLog"/>), so its <c>SPUBLISH</c> is to a local channel.
/// </para>
/// </summary>
internal sealed class RecoveryOrder
{
    /// <summary>The width of a score written by the script (zero-padded digits; a score is below 2^53).</summary>
    public const int ScoreWidth = 16;

    private const string Script = """
        if redis.replicate_commands then pcall(redis.replicate_commands) end
        local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        local t = redis.call('TIME')
        local score = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) * 1024
        if top[2] and tonumber(top[2]) >= score then score = tonumber(top[2]) + 1 end
        local text = string.format('%016.0f', score)
        local function splice(s, at)
          for p in string.gmatch(at, '%d+') do
            local i = tonumber(p)
            s = string.sub(s, 1, i - 1) .. text .. string.sub(s, i + 16)
          end
          return s
        end
        redis.call('ZADD', KEYS[1], text, splice(ARGV[1], ARGV[2]))
        redis.call(ARGV[5], ARGV[6], splice(ARGV[3], ARGV[4]))
        return text
        """;

    private readonly RedisBus _bus;
    private readonly byte[] _placeholder;
    private (string Channel, string OnServer) _channel = (string.Empty, string.Empty);

    private RecoveryOrder(RedisBus bus, string placeholder)
    {
        _bus = bus;
        Placeholder = placeholder;
        _placeholder = Encoding.ASCII.GetBytes(placeholder);
    }

    /// <summary>What a recoverable emit carries in place of its score until the script writes it (random, <see cref="ScoreWidth"/> characters).</summary>
    public string Placeholder { get; }

    /// <summary>
    /// Runs the script once against a probe key and channel; returns the order, or null and why not.
    /// </summary>
    public static async Task<(RecoveryOrder? Order, string Why)> StartAsync(RedisBus bus, string probeKey, string probeChannel)
    {
        var order = new RecoveryOrder(bus, NewPlaceholder());
        try
        {
            var entry = Encoding.ASCII.GetBytes("[" + order.Placeholder + "]");
            var result = await bus.Database.ScriptEvaluateAsync(
                Script,
                [probeKey],
                [entry, "2", entry, "2", bus.PublishCommand, bus.ServerChannel(probeChannel)]).ConfigureAwait(false);
            await bus.Database.KeyDeleteAsync(probeKey).ConfigureAwait(false);
            var text = result.ToString();
            return text is { Length: ScoreWidth } && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var score) && score > 0
                ? (order, string.Empty)
                : (null, $"the script answered '{text}' instead of a score");
        }
        catch (RedisServerException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>
    /// Sends the script for one emit (fire and forget, on the connection every command of this backend
    /// takes, so in the order of the calls); false if the placeholder is not where it should be (once in
    /// the broadcast, twice in the entry: its offset and its frame), and the caller numbers it itself.
    /// </summary>
    public bool TrySend(RedisKey log, byte[] entry, string channel, byte[] message)
    {
        var inEntry = Positions(entry);
        var inMessage = Positions(message);
        if (inEntry.Count != 2 || inMessage.Count != 1)
        {
            return false;
        }

        _bus.Database.ScriptEvaluate(
            Script,
            [log],
            [entry, string.Join(',', inEntry), message, string.Join(',', inMessage), _bus.PublishCommand, OnServer(channel)],
            CommandFlags.FireAndForget);
        return true;
    }

    /// <summary>True if <paramref name="frames"/> hold the placeholder exactly once (the offset the emit carries).</summary>
    public bool IsOnlyIn(IEnumerable<Protocol.EngineIO.EngineFrame> frames) => frames.Sum(f => Positions(f.Bytes.Span).Count) == 1;

    private string OnServer(string channel)
    {
        var known = _channel;
        if (known.Channel != channel)
        {
            known = (channel, _bus.ServerChannel(channel));
            _channel = known;
        }

        return known.OnServer;
    }

    private static string NewPlaceholder()
    {
        // Letters only: never a score, and nothing JSON would escape.
        const string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        Span<char> text = stackalloc char[ScoreWidth];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = letters[RandomNumberGenerator.GetInt32(letters.Length)];
        }

        return new string(text);
    }

    /// <summary>The 1-based positions of the placeholder in <paramref name="bytes"/>.</summary>
    private List<int> Positions(ReadOnlySpan<byte> bytes)
    {
        var found = new List<int>(2);
        var start = 0;
        while (start < bytes.Length)
        {
            var at = bytes[start..].IndexOf(_placeholder);
            if (at < 0)
            {
                break;
            }

            found.Add(start + at + 1);
            start += at + _placeholder.Length;
        }

        return found;
    }
}
