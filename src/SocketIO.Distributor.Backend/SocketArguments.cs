using System.Text;
using System.Text.Json;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// The arguments of an event or an acknowledgement, as the client sent them: a JSON array and the
/// binary attachments its placeholders (<c>{"_placeholder":true,"num":i}</c>) refer to. Nothing is
/// deserialized until asked for.
/// <para>
/// Emitting a <see cref="SocketArguments"/> as the only argument (<c>socket.Emit("echo", e.Arguments)</c>)
/// sends these arguments unchanged: the same JSON bytes and attachments, without re-serializing.
/// </para>
/// </summary>
public sealed class SocketArguments
{
    private readonly PayloadCodec _codec;
    private JsonElement[]? _elements;

    internal SocketArguments(ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments, PayloadCodec codec)
    {
        Json = json;
        Attachments = attachments;
        _codec = codec;
    }

    /// <summary>The arguments as a JSON array, exactly as received (placeholders included).</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The binary attachments, in placeholder order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>The number of arguments.</summary>
    public int Count => Elements.Length;

    /// <summary>One argument as JSON (placeholders are left as they are; use <see cref="Get{T}"/> to resolve them).</summary>
    /// <param name="index">The argument's position.</param>
    /// <returns>The argument.</returns>
    /// <exception cref="ArgumentOutOfRangeException">There is no such argument.</exception>
    public JsonElement this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Elements.Length);
            return Elements[index];
        }
    }

    private JsonElement[] Elements => _elements ??= ParseElements(Json);

    /// <summary>
    /// Deserializes one argument with the backend's <see cref="BackendOptions.Json"/>. Binary
    /// placeholders resolve to their attachment wherever <typeparamref name="T"/> has a
    /// <see cref="byte"/> array, <see cref="ReadOnlyMemory{T}"/> or <see cref="Memory{T}"/> of bytes.
    /// </summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="index">The argument's position.</param>
    /// <returns>The value; the default of <typeparamref name="T"/> when the client sent fewer arguments.</returns>
    /// <exception cref="JsonException">The argument does not fit <typeparamref name="T"/>.</exception>
    public T? Get<T>(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (index >= Elements.Length)
        {
            return default;
        }

        return _codec.Deserialize<T>(Elements[index], Attachments);
    }

    /// <summary>The JSON text of the arguments.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Encoding.UTF8.GetString(Json.Span);

    private static JsonElement[] ParseElements(ReadOnlyMemory<byte> json)
    {
        if (json.IsEmpty)
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("Socket.IO arguments must be a JSON array.");
        }

        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
