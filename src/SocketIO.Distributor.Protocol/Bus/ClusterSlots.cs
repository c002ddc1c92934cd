using System.Text;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// Redis Cluster hash slots: CRC16 (XMODEM) of a key's hashed part, modulo 16,384. A sharded channel
/// lives in the slot of its name, so a key named with the right hash tag lives on the same node as a
/// channel, and one connection to that node carries a write to the key and a publish on the channel in
/// the order they were sent.
/// </summary>
public static class ClusterSlots
{
    /// <summary>The number of hash slots.</summary>
    public const int Count = 16_384;

    /// <summary>
    /// The part of <paramref name="name"/> Redis Cluster hashes: what is between its first <c>{</c> and
    /// the first <c>}</c> after it when that is not empty, else the whole name.
    /// </summary>
    /// <param name="name">A key or a channel.</param>
    /// <returns>The hashed part.</returns>
    public static string HashedPart(string name)
    {
        var open = name.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return name;
        }

        var close = name.IndexOf('}', open + 1);
        return close > open + 1 ? name[(open + 1)..close] : name;
    }

    /// <summary>The hash slot of a key or a sharded channel.</summary>
    /// <param name="name">The key or channel as the server knows it.</param>
    /// <returns>A slot from 0 to 16,383.</returns>
    public static int Of(string name)
    {
        var part = HashedPart(name);
        var bytes = Encoding.UTF8.GetBytes(part);
        return Crc16(bytes) % Count;
    }

    /// <summary>
    /// A key of the form <c>{stem}{tag}</c> in the slot of <paramref name="name"/>: the tag is the name's
    /// hashed part when that gives the slot (always, unless <paramref name="stem"/> holds a <c>{</c> or the
    /// hashed part a <c>}</c>), else the first short tag that does; the bare stem when none does.
    /// </summary>
    /// <param name="stem">The key's readable start; should hold no braces.</param>
    /// <param name="name">The channel (or key) whose slot the key must share.</param>
    /// <returns>The key.</returns>
    public static string KeyInSlotOf(string stem, string name)
    {
        var slot = Of(name);
        var readable = stem + "{" + HashedPart(name) + "}";
        if (Of(readable) == slot)
        {
            return readable;
        }

        // About 16,384 tries on average; 2^20 leave a slot unfound with a chance of e^-64.
        for (var i = 0; i < 1 << 20; i++)
        {
            var candidate = stem + "{s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}";
            if (Of(candidate) == slot)
            {
                return candidate;
            }
        }

        return stem;
    }

    /// <summary>CRC16/XMODEM (polynomial 0x1021, initial 0), as Redis Cluster computes it.</summary>
    private static int Crc16(ReadOnlySpan<byte> bytes)
    {
        var crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return crc;
    }
}
