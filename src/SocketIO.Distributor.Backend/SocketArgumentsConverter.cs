using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Writes received <see cref="SocketArguments"/> nested in other emit arguments: its array, with
/// each placeholder renumbered into the attachments of the payload being written. Reading one
/// keeps the raw JSON and the attachments in scope, so placeholders still resolve.
/// </summary>
internal sealed class SocketArgumentsConverter(PayloadCodec codec) : JsonConverter<SocketArguments>
{
    public override SocketArguments? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        using var document = JsonDocument.ParseValue(ref reader);
        var json = JsonSerializer.SerializeToUtf8Bytes(document.RootElement);
        return new SocketArguments(json, AttachmentScope.Reading ?? [], codec);
    }

    public override void Write(Utf8JsonWriter writer, SocketArguments value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        for (var i = 0; i < value.Count; i++)
        {
            WriteRenumbered(writer, value[i], value.Attachments);
        }

        writer.WriteEndArray();
    }

    private static void WriteRenumbered(Utf8JsonWriter writer, JsonElement element, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when TryGetPlaceholder(element, attachments.Count, out var num):
                AttachmentConverters.WriteAttachment(writer, attachments[num]);
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteRenumbered(writer, property.Value, attachments);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteRenumbered(writer, item, attachments);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static bool TryGetPlaceholder(JsonElement element, int count, out int num)
    {
        num = -1;
        return element.TryGetProperty("_placeholder", out var flag)
            && flag.ValueKind == JsonValueKind.True
            && element.TryGetProperty("num", out var number)
            && number.TryGetInt32(out num)
            && num >= 0
            && num < count;
    }
}
