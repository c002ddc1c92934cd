using System.Text;
using System.Text.Json;

namespace SocketIO.Distributor.Protocol.SocketIO;

/// <summary>
/// Reads the parts of an EVENT packet's JSON array without building a DOM: the event name and the
/// byte range of the arguments that follow it.
/// </summary>
public static class EventPayload
{
    /// <summary>
    /// Splits <c>["name", a, b]</c> into the name and the arguments as a JSON array (<c>[a, b]</c>).
    /// </summary>
    /// <param name="data">A validated EVENT payload.</param>
    /// <param name="name">The event name (a number name is returned as its JSON text).</param>
    /// <param name="arguments">The arguments as a JSON array.</param>
    /// <returns>False if <paramref name="data"/> is not an array starting with a name.</returns>
    public static bool TrySplit(ReadOnlyMemory<byte> data, out string name, out ReadOnlyMemory<byte> arguments)
    {
        name = string.Empty;
        arguments = default;
        var reader = new Utf8JsonReader(data.Span);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.String)
            {
                name = reader.GetString() ?? string.Empty;
            }
            else if (reader.TokenType == JsonTokenType.Number)
            {
                name = Encoding.UTF8.GetString(reader.ValueSpan);
            }
            else
            {
                return false;
            }

            var afterName = (int)reader.BytesConsumed;
            var span = data.Span;
            var comma = afterName;
            while (comma < span.Length && span[comma] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                comma++;
            }

            if (comma >= span.Length)
            {
                return false;
            }

            if (span[comma] == (byte)']')
            {
                arguments = EmptyArray;
                return true;
            }

            if (span[comma] != (byte)',')
            {
                return false;
            }

            // Reuse the original bytes: "[" + everything after the comma.
            var rest = data[(comma + 1)..];
            var copy = new byte[rest.Length + 1];
            copy[0] = (byte)'[';
            rest.Span.CopyTo(copy.AsSpan(1));
            arguments = copy;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // GetString: the name is not valid UTF-8, or its escapes are not valid UTF-16.
            name = string.Empty;
            return false;
        }
    }

    /// <summary>
    /// Builds an EVENT payload <c>["name", ...arguments]</c> from a name and a JSON array of arguments.
    /// </summary>
    /// <param name="name">The event name.</param>
    /// <param name="arguments">The arguments as a JSON array (for example <c>[1,"a"]</c>); empty for none.</param>
    /// <returns>The payload.</returns>
    public static byte[] Build(string name, ReadOnlySpan<byte> arguments)
    {
        var encodedName = JsonEncodedText.Encode(name);
        var nameBytes = encodedName.EncodedUtf8Bytes;
        // Whitespace may surround the array (TrySplit keeps what followed the original array).
        var array = arguments.Trim(" \t\r\n"u8);
        var inner = array.Length >= 2 ? array[1..^1].Trim(" \t\r\n"u8) : [];
        var result = new byte[nameBytes.Length + inner.Length + 5];
        var i = 0;
        result[i++] = (byte)'[';
        result[i++] = (byte)'"';
        nameBytes.CopyTo(result.AsSpan(i));
        i += nameBytes.Length;
        result[i++] = (byte)'"';
        if (!inner.IsEmpty)
        {
            result[i++] = (byte)',';
            inner.CopyTo(result.AsSpan(i));
            i += inner.Length;
        }

        result[i++] = (byte)']';
        return result.AsSpan(0, i).ToArray();
    }

    private static readonly byte[] EmptyArray = "[]"u8.ToArray();
}
