using System.Buffers;
using System.Text.Json;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Turns emit arguments into Socket.IO JSON plus attachments (once per emit) and received
/// arguments back into .NET values, with the user's <see cref="JsonSerializerOptions"/> extended
/// by the attachment converters.
/// </summary>
internal sealed class PayloadCodec
{
    private static readonly string[] ReservedEvents =
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

    public PayloadCodec(JsonSerializerOptions userOptions)
    {
        var options = new JsonSerializerOptions(userOptions);
        var position = 0;
        foreach (var converter in AttachmentConverters.All().Append(new SocketArgumentsConverter(this)))
        {
            options.Converters.Insert(position++, converter);
        }

        options.MakeReadOnly(populateMissingResolver: true);
        Options = options;
    }

    /// <summary>The serializer options in force.</summary>
    public JsonSerializerOptions Options { get; }

    /// <summary>Encodes <c>[name, ...args]</c>; a lone <see cref="SocketArguments"/> is spliced in unchanged.</summary>
    public EncodedPayload EncodeEvent(string name, object?[]? args)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Array.IndexOf(ReservedEvents, name) >= 0)
        {
            throw new ArgumentException($"'{name}' is a reserved event name; Socket.IO clients would not receive it.", nameof(name));
        }

        if (args is [SocketArguments received])
        {
            return new EncodedPayload(EventPayload.Build(name, received.Json.Span), received.Attachments);
        }

        return Encode(name, args ?? []);
    }

    /// <summary>Encodes <c>[...args]</c> for an acknowledgement; a lone <see cref="SocketArguments"/> is sent unchanged.</summary>
    public EncodedPayload EncodeArguments(object?[]? args)
    {
        if (args is [SocketArguments received])
        {
            return new EncodedPayload(received.Json.IsEmpty ? "[]"u8.ToArray() : received.Json, received.Attachments);
        }

        return Encode(null, args ?? []);
    }

    /// <summary>Serializes one value outside an emit (bytes become base64).</summary>
    public byte[] SerializeValue(object? value) =>
        value is null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options);

    /// <summary>The data of a CONNECT_ERROR: <c>{"message":...,"code":...,"data":...}</c>, code and data omitted when null.</summary>
    public byte[] ConnectError(string message, object? data, string? code = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            if (code is not null)
            {
                writer.WriteString("code", code);
            }

            if (data is not null)
            {
                writer.WritePropertyName("data");
                JsonSerializer.Serialize(writer, data, data.GetType(), Options);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Deserializes <paramref name="element"/> with placeholders resolving to <paramref name="attachments"/>.</summary>
    public T? Deserialize<T>(JsonElement element, IReadOnlyList<ReadOnlyMemory<byte>> attachments) =>
        AttachmentScope.RunReading(attachments, () => element.Deserialize<T>(Options));

    private EncodedPayload Encode(string? name, object?[] args)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var attachments = new List<ReadOnlyMemory<byte>>();
        AttachmentScope.RunWriting(attachments, () =>
        {
            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder });
            writer.WriteStartArray();
            if (name is not null)
            {
                writer.WriteStringValue(name);
            }

            foreach (var arg in args)
            {
                if (arg is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    JsonSerializer.Serialize(writer, arg, arg.GetType(), Options);
                }
            }

            writer.WriteEndArray();
        });
        return new EncodedPayload(buffer.WrittenMemory, attachments);
    }
}
