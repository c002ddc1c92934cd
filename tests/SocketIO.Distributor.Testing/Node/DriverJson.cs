using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// How values cross the JSON-lines pipe to <c>tests/clients/driver.mjs</c>: as JSON, except binary,
/// which travels as <c>{"$binary":"&lt;base64&gt;"}</c> both ways.
/// </summary>
public static class DriverJson
{
    private const string BinaryProperty = "$binary";

    /// <summary>Serializes <c>byte[]</c> (anywhere in a value) as <c>{"$binary":"&lt;base64&gt;"}</c>.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        Converters = { new BinaryConverter() },
    };

    /// <summary>Whether <paramref name="value"/> is a binary value as the driver reports it.</summary>
    public static bool IsBinary(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object
        && value.TryGetProperty(BinaryProperty, out var data)
        && data.ValueKind == JsonValueKind.String;

    /// <summary>The bytes of a <c>{"$binary":"&lt;base64&gt;"}</c> value.</summary>
    /// <exception cref="FormatException"><paramref name="value"/> is not a binary value.</exception>
    public static byte[] DecodeBinary(JsonElement value) =>
        IsBinary(value)
            ? Convert.FromBase64String(value.GetProperty(BinaryProperty).GetString()!)
            : throw new FormatException($"Expected a binary value {{\"$binary\":\"…\"}} but got {value.GetRawText()}.");

    internal static JsonNode? ToNode(object? value) => JsonSerializer.SerializeToNode(value, Options);

    private sealed class BinaryConverter : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DecodeBinary(JsonElement.ParseValue(ref reader));

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteBase64String(BinaryProperty, value);
            writer.WriteEndObject();
        }
    }
}
