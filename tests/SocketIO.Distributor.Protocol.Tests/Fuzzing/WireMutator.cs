using System.Text;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>
/// Produces malformed wire inputs from a fixed seed, so every run sees the same inputs: pure random
/// bytes, and structure-aware mutations of valid samples (bit flips, inserted separators and length
/// prefixes, deleted or duplicated ranges, truncation, splices of two samples, bad base64, deep JSON
/// nesting, invalid UTF-8).
/// </summary>
internal sealed class WireMutator
{
    private const int MaxRandomLength = 64;

    /// <summary>Fragments that mean something to at least one decoder.</summary>
    private static readonly byte[][] Fragments =
    [
        [0x1e], [(byte)':'], [0xff], [0x00], [0x01], [0x04], [0x09], [(byte)'b'], "b4"u8.ToArray(),
        [(byte)'-'], [(byte)'/'], [(byte)','], [(byte)'['], [(byte)']'], [(byte)'{'], [(byte)'}'],
        [(byte)'"'], [(byte)'\\'], "\\u"u8.ToArray(), "\\ud800"u8.ToArray(), "\\udc00x"u8.ToArray(),
        "\\uD83D\\uDE00"u8.ToArray(), "99999999999"u8.ToArray(), "2147483648"u8.ToArray(),
        "9999999999999999"u8.ToArray(), "-1"u8.ToArray(), "1e400"u8.ToArray(), "null"u8.ToArray(),
        "true"u8.ToArray(), "\"connect\""u8.ToArray(), "{\"_placeholder\":true,\"num\":0}"u8.ToArray(),
        "="u8.ToArray(), "=="u8.ToArray(), "AQID"u8.ToArray(), "!*"u8.ToArray(), " \t\r\n"u8.ToArray(),
        [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0x80],
        [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xef, 0xbb, 0xbf], "€"u8.ToArray(), "😀"u8.ToArray(),
        [0x00, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0xff],
        [0x01, 0x01, 0xff, 0x04],
    ];

    private readonly Random random;
    private readonly byte[][] samples;

    public WireMutator(int seed, IReadOnlyList<byte[]> samples)
    {
        random = new Random(seed);
        this.samples = [.. samples];
    }

    /// <summary>The next input: about one in five is random bytes, the rest mutated samples.</summary>
    public byte[] Next()
    {
        if (random.Next(5) == 0)
        {
            return RandomBytes();
        }

        var input = new List<byte>(samples[random.Next(samples.Length)]);
        var mutations = 1 + random.Next(4);
        for (var i = 0; i < mutations; i++)
        {
            Mutate(input);
        }

        return [.. input];
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[random.Next(MaxRandomLength + 1)];
        if (random.Next(2) == 0)
        {
            random.NextBytes(bytes);
            return bytes;
        }

        // Printable-ish bytes reach deeper into the text decoders than uniform noise does.
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)random.Next(0x1e, 0x7f);
        }

        return bytes;
    }

    private void Mutate(List<byte> input)
    {
        switch (random.Next(11))
        {
            case 0 when input.Count > 0:
                input[random.Next(input.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when input.Count > 0:
                input[random.Next(input.Count)] = (byte)random.Next(256);
                break;
            case 2:
                input.Insert(random.Next(input.Count + 1), (byte)random.Next(256));
                break;
            case 3 when input.Count > 0:
                var start = random.Next(input.Count);
                input.RemoveRange(start, random.Next(1, Math.Min(8, input.Count - start) + 1));
                break;
            case 4 when input.Count > 0:
                var cut = random.Next(input.Count);
                input.RemoveRange(cut, input.Count - cut);
                break;
            case 5:
                input.InsertRange(random.Next(input.Count + 1), Fragments[random.Next(Fragments.Length)]);
                break;
            case 6:
                Splice(input);
                break;
            case 7:
                Nest(input);
                break;
            case 8:
                input.InsertRange(0, Encoding.ASCII.GetBytes($"{random.Next()}:"));
                break;
            case 9 when input.Count > 1:
                var from = random.Next(input.Count);
                var length = random.Next(1, Math.Min(16, input.Count - from) + 1);
                input.InsertRange(random.Next(input.Count + 1), input.GetRange(from, length));
                break;
            default:
                input.Insert(random.Next(input.Count + 1), (byte)random.Next(0x30, 0x3a));
                break;
        }
    }

    /// <summary>Joins this input with another sample, with or without a separator between them.</summary>
    private void Splice(List<byte> input)
    {
        var other = samples[random.Next(samples.Length)];
        if (random.Next(2) == 0)
        {
            input.Add(Fragments[random.Next(3)][0]);
        }

        input.AddRange(other.AsSpan(random.Next(other.Length + 1)).ToArray());
    }

    /// <summary>Wraps part of the input in deep JSON nesting (sometimes past the reader's depth limit).</summary>
    private void Nest(List<byte> input)
    {
        var depth = random.Next(4) == 0 ? random.Next(60, 2000) : random.Next(1, 8);
        var opener = random.Next(2) == 0 ? "["u8 : "{\"a\":"u8;
        var closer = opener[0] == (byte)'[' ? (byte)']' : (byte)'}';
        var at = random.Next(input.Count + 1);
        var open = new byte[depth * opener.Length];
        for (var i = 0; i < depth; i++)
        {
            opener.CopyTo(open.AsSpan(i * opener.Length));
        }

        input.InsertRange(at, open);
        if (random.Next(3) != 0)
        {
            input.InsertRange(Math.Min(input.Count, at + open.Length + random.Next(4)), Enumerable.Repeat(closer, depth));
        }
    }
}
