using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Converters that carry byte arrays as Socket.IO binary attachments: written as
/// <c>{"_placeholder":true,"num":i}</c> with the bytes collected by <see cref="AttachmentScope"/>,
/// and read back from a placeholder (or from base64, as System.Text.Json writes bytes elsewhere).
/// </summary>
internal static class AttachmentConverters
{
    /// <summary>Writes a placeholder for <paramref name="bytes"/>, or base64 outside an emit.</summary>
    public static void WriteAttachment(Utf8JsonWriter writer, ReadOnlyMemory<byte> bytes)
    {
        var attachments = AttachmentScope.Writing;
        if (attachments is null)
        {
            writer.WriteBase64StringValue(bytes.Span);
            return;
        }

        WritePlaceholder(writer, attachments.Count);
        attachments.Add(bytes);
    }

    /// <summary>Writes <c>{"_placeholder":true,"num":num}</c>.</summary>
    public static void WritePlaceholder(Utf8JsonWriter writer, int num)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("_placeholder", true);
        writer.WriteNumber("num", num);
        writer.WriteEndObject();
    }

    /// <summary>Reads a placeholder or a base64 string; null for JSON null.</summary>
    public static ReadOnlyMemory<byte>? ReadAttachment(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetBytesFromBase64();
            case JsonTokenType.StartObject:
                break;
            default:
                throw new JsonException($"Expected a binary placeholder or a base64 string, found {reader.TokenType}.");
        }

        var isPlaceholder = false;
        var num = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var property = reader.GetString();
            reader.Read();
            if (property == "_placeholder")
            {
                isPlaceholder = reader.TokenType == JsonTokenType.True;
            }
            else if (property == "num" && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                num = value;
            }
            else
            {
                reader.Skip();
            }
        }

        var attachments = AttachmentScope.Reading;
        if (!isPlaceholder || attachments is null || num < 0 || num >= attachments.Count)
        {
            throw new JsonException($"The binary placeholder {num} does not name one of the {attachments?.Count ?? 0} attachments.");
        }

        return attachments[num];
    }

    /// <summary>All the converters, to insert at the front of the serializer options.</summary>
    public static IEnumerable<JsonConverter> All()
    {
        yield return new ByteArrayConverter();
        yield return new ReadOnlyMemoryConverter();
        yield return new MemoryConverter();
    }

    private sealed class ByteArrayConverter : JsonConverter<byte[]>
    {
        public override bool HandleNull => true;

        public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ReadAttachment(ref reader)?.ToArray();

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) =>
            WriteAttachment(writer, value);
    }

    private sealed class ReadOnlyMemoryConverter : JsonConverter<ReadOnlyMemory<byte>>
    {
        public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ReadAttachment(ref reader) ?? ReadOnlyMemory<byte>.Empty;

        public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options) =>
            WriteAttachment(writer, value);
    }

    private sealed class MemoryConverter : JsonConverter<Memory<byte>>
    {
        public override Memory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (ReadAttachment(ref reader) ?? ReadOnlyMemory<byte>.Empty).ToArray();

        public override void Write(Utf8JsonWriter writer, Memory<byte> value, JsonSerializerOptions options) =>
            WriteAttachment(writer, value);
    }
}
