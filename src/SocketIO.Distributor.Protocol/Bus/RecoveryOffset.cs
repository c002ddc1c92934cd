using System.Buffers.Text;
using System.Globalization;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// Offsets of recoverable emits: <c>&lt;score&gt;-&lt;origin&gt;</c>, where the score is a number
/// that grows with time (milliseconds × 1024 + a counter, so at most 2^53) and the origin tells apart
/// the backends that emit at the same moment. The offset is the last argument of the EVENT the client
/// gets (socket.io 4.6's <c>connectionStateRecovery</c>), and the client sends the last one it got
/// back in its CONNECT's <c>auth.offset</c>.
/// </summary>
public static class RecoveryOffset
{
    /// <summary>The counter values per millisecond.</summary>
    public const long PerMillisecond = 1024;

    /// <summary>The offset text.</summary>
    /// <param name="score">The score.</param>
    /// <param name="origin">The origin tag (letters, digits, <c>_</c>).</param>
    /// <returns>The offset.</returns>
    public static string Format(long score, string origin) => score.ToString(CultureInfo.InvariantCulture) + "-" + origin;

    /// <summary>The score of an offset, or false if it is not one.</summary>
    /// <param name="offset">The offset.</param>
    /// <param name="score">Its score.</param>
    /// <returns>True if parsed.</returns>
    public static bool TryScore(ReadOnlySpan<char> offset, out long score)
    {
        score = 0;
        var dash = offset.IndexOf('-');
        return dash > 0 && dash < offset.Length - 1 && long.TryParse(offset[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out score) && score > 0;
    }

    /// <summary>The score a moment stands for (its smallest), for trimming by age.</summary>
    /// <param name="unixMilliseconds">The moment.</param>
    /// <returns>The score.</returns>
    public static long ScoreAt(long unixMilliseconds) => unixMilliseconds * PerMillisecond;

    /// <summary>
    /// Appends the offset as the last argument of an event's JSON array (<c>["ev",1]</c> becomes
    /// <c>["ev",1,"offset"]</c>).
    /// </summary>
    /// <param name="json">The event's JSON array.</param>
    /// <param name="offset">The offset (no characters that JSON escapes).</param>
    /// <returns>The new JSON.</returns>
    public static byte[] AppendTo(ReadOnlySpan<byte> json, string offset)
    {
        var end = json.LastIndexOf((byte)']');
        if (end < 0)
        {
            throw new ArgumentException("Not a JSON array.", nameof(json));
        }

        var result = new byte[end + offset.Length + 4];
        json[..end].CopyTo(result);
        var position = end;
        result[position++] = (byte)',';
        result[position++] = (byte)'"';
        for (var i = 0; i < offset.Length; i++)
        {
            result[position++] = (byte)offset[i];
        }

        result[position++] = (byte)'"';
        result[position] = (byte)']';
        return result;
    }

    /// <summary>
    /// The offset an EVENT frame carries as its last argument (as <see cref="AppendTo"/> wrote it),
    /// or null when it carries none.
    /// </summary>
    /// <param name="frame">The Engine.IO text frame of the packet.</param>
    /// <returns>The offset, or null.</returns>
    public static string? Find(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 6 || frame[^1] != (byte)']' || frame[^2] != (byte)'"')
        {
            return null;
        }

        var body = frame[..^2];
        var start = body.LastIndexOf((byte)'"');
        if (start < 1 || body[start - 1] != (byte)',')
        {
            return null;
        }

        var text = body[(start + 1)..];
        var dash = text.IndexOf((byte)'-');
        if (dash <= 0 || dash == text.Length - 1 || !Utf8Parser.TryParse(text[..dash], out long score, out var consumed) || consumed != dash || score <= 0)
        {
            return null;
        }

        return System.Text.Encoding.ASCII.GetString(text);
    }

    /// <summary>The frame of an EVENT without its offset argument (for clients that take no offsets, EIO3).</summary>
    /// <param name="frame">The Engine.IO text frame.</param>
    /// <returns>The frame without the offset, or the same bytes when it has none.</returns>
    public static ReadOnlyMemory<byte> Strip(ReadOnlyMemory<byte> frame)
    {
        var offset = Find(frame.Span);
        if (offset is null)
        {
            return frame;
        }

        // ,"<offset>"] → ]
        var cut = frame.Length - offset.Length - 4;
        var stripped = new byte[cut + 1];
        frame.Span[..cut].CopyTo(stripped);
        stripped[cut] = (byte)']';
        return stripped;
    }
}
