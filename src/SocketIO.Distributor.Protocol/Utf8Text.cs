using System.Text;
using System.Text.Unicode;

namespace SocketIO.Distributor.Protocol;

/// <summary>UTF-8 validation without exceptions.</summary>
internal static class Utf8Check
{
    public static DecodeError Validate(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? DecodeError.None : DecodeError.InvalidUtf8;
}

/// <summary>Counting UTF-16 code units (JavaScript string length) over UTF-8 bytes.</summary>
internal static class Utf16Units
{
    /// <summary>
    /// Finds how many bytes of <paramref name="utf8"/> hold the first <paramref name="units"/> UTF-16
    /// code units. Fails if the text ends first, is not valid UTF-8, or the count splits a surrogate pair.
    /// </summary>
    public static DecodeError ByteCount(ReadOnlySpan<byte> utf8, int units, out int byteCount)
    {
        byteCount = 0;
        var counted = 0;
        while (counted < units)
        {
            if (byteCount >= utf8.Length)
            {
                return DecodeError.InvalidLength;
            }

            var status = Rune.DecodeFromUtf8(utf8[byteCount..], out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                return DecodeError.InvalidUtf8;
            }

            counted += rune.Utf16SequenceLength;
            byteCount += consumed;
        }

        return counted == units ? DecodeError.None : DecodeError.InvalidLength;
    }
}
