using System.Buffers;
using System.Buffers.Text;
using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.SocketIO;

/// <summary>
/// Encodes Socket.IO packets. The result of <see cref="EncodeFrame"/> is an Engine.IO message text
/// frame (<c>4</c> followed by the packet) that can be written unchanged to any number of clients.
/// </summary>
public static class SocketPacketWriter
{
    /// <summary>Writes a packet's text.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="type">The packet type.</param>
    /// <param name="nsp">The namespace; <c>/</c> is omitted from the wire.</param>
    /// <param name="ackId">The acknowledgement id, or -1 for none.</param>
    /// <param name="attachments">The number of binary attachments (binary types only).</param>
    /// <param name="json">The JSON data, already encoded; may be empty.</param>
    public static void Write(
        IBufferWriter<byte> writer,
        SocketPacketType type,
        string nsp,
        long ackId,
        int attachments,
        ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(nsp);
        var header = writer.GetSpan(64);
        header[0] = (byte)('0' + (int)type);
        var length = 1;
        if (type is SocketPacketType.BinaryEvent or SocketPacketType.BinaryAck)
        {
            Utf8Formatter.TryFormat(attachments, header[length..], out var written);
            length += written;
            header[length++] = (byte)'-';
        }

        writer.Advance(length);
        if (nsp != "/")
        {
            var nspBytes = Encoding.UTF8.GetByteCount(nsp);
            var span = writer.GetSpan(nspBytes + 1);
            Encoding.UTF8.GetBytes(nsp, span);
            span[nspBytes] = (byte)',';
            writer.Advance(nspBytes + 1);
        }

        if (ackId >= 0)
        {
            var span = writer.GetSpan(20);
            Utf8Formatter.TryFormat(ackId, span, out var written);
            writer.Advance(written);
        }

        writer.Write(json);
    }

    /// <summary>Encodes a packet as an Engine.IO message text frame: <c>4</c> then the packet.</summary>
    /// <param name="type">The packet type.</param>
    /// <param name="nsp">The namespace.</param>
    /// <param name="ackId">The acknowledgement id, or -1 for none.</param>
    /// <param name="attachments">The number of binary attachments.</param>
    /// <param name="json">The JSON data.</param>
    /// <returns>The frame.</returns>
    public static EngineFrame EncodeFrame(SocketPacketType type, string nsp, long ackId, int attachments, ReadOnlySpan<byte> json)
    {
        var buffer = new ArrayBufferWriter<byte>(json.Length + nsp.Length + 24);
        buffer.GetSpan(1)[0] = (byte)'0' + (byte)EnginePacketType.Message;
        buffer.Advance(1);
        Write(buffer, type, nsp, ackId, attachments, json);
        return new EngineFrame(buffer.WrittenMemory, IsBinary: false);
    }
}
