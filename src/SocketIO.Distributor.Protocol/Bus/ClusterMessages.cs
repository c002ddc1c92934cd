namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// An application-defined message from any process to every distributor (the original's custom
/// events). Layout: <c>senderId: str, name: str, payload: bytes (JSON)</c>.
/// </summary>
/// <param name="SenderId">The sending process.</param>
/// <param name="Name">The message name.</param>
/// <param name="PayloadJson">The payload as JSON.</param>
public sealed record CustomMessage(string SenderId, string Name, ReadOnlyMemory<byte> PayloadJson) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.Custom, 64 + PayloadJson.Length);
        writer.WriteString(SenderId);
        writer.WriteString(Name);
        writer.WriteBytes(PayloadJson.Span);
        return writer.ToArray();
    }

    internal static CustomMessage Read(ref BusReader reader) => new(reader.ReadString(), reader.ReadString(), reader.ReadBytes());
}

/// <summary>The kinds of processes in a deployment.</summary>
public enum MemberKind : byte
{
    /// <summary>A distributor: holds client connections.</summary>
    Distributor = 1,

    /// <summary>A backend: serves a namespace.</summary>
    Backend = 2,
}

/// <summary>
/// A process announces that it is shutting down, so others react at once instead of waiting for
/// its heartbeat to expire. Layout: <c>memberId: str, kind: u8</c>.
/// </summary>
/// <param name="MemberId">The process.</param>
/// <param name="Kind">Distributor or backend.</param>
public sealed record MemberLeaving(string MemberId, MemberKind Kind) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.MemberLeaving, 32);
        writer.WriteString(MemberId);
        writer.WriteByte((byte)Kind);
        return writer.ToArray();
    }

    internal static MemberLeaving Read(ref BusReader reader) => new(reader.ReadString(), (MemberKind)reader.ReadByte());
}
