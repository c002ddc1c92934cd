using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>
/// Sends the events of a client contract to one target (a socket, a namespace, rooms). Generated
/// client proxies call it; each emit is encoded once, with the contract's source-generated JSON
/// metadata when it has one.
/// </summary>
public sealed class ContractEmitter
{
    private readonly SocketIOBackend _backend;
    private readonly Action<string, SocketArguments> _emit;

    internal ContractEmitter(SocketIOBackend backend, Action<string, SocketArguments> emit)
    {
        _backend = backend;
        _emit = emit;
    }

    /// <summary>Emits an event without arguments.</summary>
    /// <param name="ev">The event name.</param>
    public void Emit(string ev) => _emit(ev, Encode(static (_, _) => { }));

    /// <summary>Emits an event with one argument.</summary>
    /// <typeparam name="T1">The argument's type.</typeparam>
    /// <param name="ev">The event name.</param>
    /// <param name="arg1">The argument.</param>
    /// <param name="info1">Its JSON metadata, or null to use <see cref="BackendOptions.Json"/>.</param>
    public void Emit<T1>(string ev, T1 arg1, JsonTypeInfo<T1>? info1) =>
        _emit(ev, Encode((writer, options) => Write(writer, arg1, info1, options)));

    /// <summary>Emits an event with two arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="ev">The event name.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="info1">Its JSON metadata, or null.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="info2">Its JSON metadata, or null.</param>
    public void Emit<T1, T2>(string ev, T1 arg1, JsonTypeInfo<T1>? info1, T2 arg2, JsonTypeInfo<T2>? info2) =>
        _emit(ev, Encode((writer, options) =>
        {
            Write(writer, arg1, info1, options);
            Write(writer, arg2, info2, options);
        }));

    /// <summary>Emits an event with three arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <param name="ev">The event name.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="info1">Its JSON metadata, or null.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="info2">Its JSON metadata, or null.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="info3">Its JSON metadata, or null.</param>
    public void Emit<T1, T2, T3>(string ev, T1 arg1, JsonTypeInfo<T1>? info1, T2 arg2, JsonTypeInfo<T2>? info2, T3 arg3, JsonTypeInfo<T3>? info3) =>
        _emit(ev, Encode((writer, options) =>
        {
            Write(writer, arg1, info1, options);
            Write(writer, arg2, info2, options);
            Write(writer, arg3, info3, options);
        }));

    /// <summary>Encodes <c>[...values]</c> as arguments ready to send unchanged.</summary>
    internal static SocketArguments EncodeArguments(SocketIOBackend backend, Action<Utf8JsonWriter, JsonSerializerOptions> write)
    {
        var codec = backend.Codec;
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = codec.Options.Encoder }))
        {
            writer.WriteStartArray();
            write(writer, codec.Options);
            writer.WriteEndArray();
        }

        return new SocketArguments(buffer.WrittenMemory, [], codec);
    }

    /// <summary>Writes one value with its metadata, or with the backend's options when it has none.</summary>
    internal static void Write<T>(Utf8JsonWriter writer, T value, JsonTypeInfo<T>? info, JsonSerializerOptions options)
    {
        if (info is not null)
        {
            JsonSerializer.Serialize(writer, value, info);
        }
        else if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
        }
    }

    private SocketArguments Encode(Action<Utf8JsonWriter, JsonSerializerOptions> write) => EncodeArguments(_backend, write);
}
