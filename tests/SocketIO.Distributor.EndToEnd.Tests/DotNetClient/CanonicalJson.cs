using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SocketIOClient;

namespace SocketIO.Distributor.EndToEnd.Tests.DotNetClient;

/// <summary>
/// One JSON text for an argument list, whether sent or received, with every binary attachment written as
/// <c>{"$binary":"hex"}</c>: two argument lists are equal when their canonical texts are.
/// </summary>
internal static class CanonicalJson
{
    private static readonly JsonSerializerOptions SendOptions = new() { Converters = { new BinaryAsHex() } };

    /// <summary>The arguments as this test passes them to <c>EmitAsync</c> or <c>CallbackAsync</c>.</summary>
    public static string FromArgs(params object[] args) => Write(JsonSerializer.SerializeToElement(args, SendOptions), attachments: []);

    /// <summary>The arguments of a received event or ack, attachments resolved from their placeholders.</summary>
    public static string FromResponse(SocketIOResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var values = Enumerable.Range(0, response.Count).Select(response.GetValue).ToArray();
        return Write(JsonSerializer.SerializeToElement(values), response.InComingBytes ?? []);
    }

    private static string Write(JsonElement value, IReadOnlyList<byte[]> attachments)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value, attachments);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value, IReadOnlyList<byte[]> attachments)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when IsPlaceholder(value, out var index):
                writer.WriteStartObject();
                writer.WriteString("$binary", index < attachments.Count ? Convert.ToHexString(attachments[index]).ToLowerInvariant() : $"missing attachment {index}");
                writer.WriteEndObject();
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteValue(writer, property.Value, attachments);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteValue(writer, item, attachments);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                writer.WriteNumberValue(value.GetDouble());
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static bool IsPlaceholder(JsonElement value, out int index)
    {
        index = -1;
        return value.TryGetProperty("_placeholder", out var flag) && flag.ValueKind == JsonValueKind.True
            && value.TryGetProperty("num", out var num) && num.TryGetInt32(out index);
    }

    /// <summary>Writes a byte array the way <see cref="WriteValue"/> writes a resolved attachment.</summary>
    private sealed class BinaryAsHex : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("$binary", Convert.ToHexString(value).ToLowerInvariant());
            writer.WriteEndObject();
        }
    }
}
