using System.Text.Json;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// Something a socket of a <see cref="NodeClientDriver"/> received: an event the server sent (with its
/// arguments), or a lifecycle event: <c>$connect</c>, <c>$disconnect</c> (with <see cref="Reason"/>),
/// <c>$connect_error</c> (with <see cref="Message"/>), <c>$error</c>.
/// </summary>
public sealed class DriverEvent
{
    internal DriverEvent(long sequence, JsonElement line)
    {
        Sequence = sequence;
        Line = line;
        Name = line.GetProperty("name").GetString() ?? "";
        Event = line.GetProperty("event").GetString() ?? "";
        Args = line.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Array ? [.. args.EnumerateArray()] : [];
        HasAck = line.TryGetProperty("hasAck", out var hasAck) && hasAck.ValueKind == JsonValueKind.True;
    }

    /// <summary>The order in which the driver reported it, from 0.</summary>
    public long Sequence { get; }

    /// <summary>The name of the socket that received it, as given to <see cref="NodeClientDriver.ConnectAsync"/>.</summary>
    public string Name { get; }

    /// <summary>The event name; lifecycle events start with <c>$</c>.</summary>
    public string Event { get; }

    /// <summary>The event's arguments; binary values are <c>{"$binary":"&lt;base64&gt;"}</c> (see <see cref="Bytes"/>).</summary>
    public IReadOnlyList<JsonElement> Args { get; }

    /// <summary>Whether the server asked for an ack (see <see cref="NodeClientDriver.SetAckReplyAsync"/>).</summary>
    public bool HasAck { get; }

    /// <summary>The disconnect reason of a <c>$disconnect</c>, e.g. <c>io server disconnect</c> or <c>transport close</c>.</summary>
    public string? Reason => StringProperty("reason");

    /// <summary>The error message of a <c>$connect_error</c> or <c>$error</c>.</summary>
    public string? Message => StringProperty("message");

    /// <summary>The Socket.IO id of a <c>$connect</c>.</summary>
    public string? Sid => StringProperty("sid");

    /// <summary>The Engine.IO session id of a <c>$connect</c>: sockets sharing a connection share it.</summary>
    public string? EngineId => StringProperty("engineId");

    /// <summary>For a <c>$connect</c>: true when the session was recovered (<c>socket.recovered</c>).</summary>
    public bool Recovered => Line.TryGetProperty("recovered", out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>The whole line the driver printed.</summary>
    public JsonElement Line { get; }

    /// <summary>The bytes of the binary argument at <paramref name="index"/>.</summary>
    public byte[] Bytes(int index) => DriverJson.DecodeBinary(Args[index]);

    /// <summary>The string argument at <paramref name="index"/>.</summary>
    public string? String(int index) => Args[index].GetString();

    /// <inheritdoc />
    public override string ToString() => Line.GetRawText();

    private string? StringProperty(string property) =>
        Line.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
