using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SocketIO.Distributor.Bench.Floor;

/// <summary>RFC 6455 framing, server side: unmasked frames out, masked frames in.</summary>
internal static class WebSocketFrame
{
    public const byte OpText = 1;
    public const byte OpClose = 8;
    public const byte OpPing = 9;
    public const byte OpPong = 10;

    /// <summary>A whole unmasked text frame carrying <paramref name="payload"/>.</summary>
    public static byte[] Text(ReadOnlySpan<byte> payload) => Frame(OpText, payload);

    public static byte[] Frame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        if (header == 2)
        {
            frame[1] = (byte)payload.Length;
        }
        else if (header == 4)
        {
            frame[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    /// <summary>
    /// Reads one client frame from <paramref name="data"/>: false when it is not all there yet. The payload is
    /// unmasked in place; <paramref name="consumed"/> is the frame's whole length.
    /// </summary>
    public static bool TryRead(Span<byte> data, out byte opcode, out Range payload, out int consumed)
    {
        (opcode, payload, consumed) = (0, default, 0);
        if (data.Length < 2)
        {
            return false;
        }

        opcode = (byte)(data[0] & 0x0F);
        var masked = (data[1] & 0x80) != 0;
        long length = data[1] & 0x7F;
        var at = 2;
        if (length == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            at = 4;
        }
        else if (length == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            at = 10;
        }

        if (length > 16 << 20)
        {
            throw new InvalidDataException("a frame over 16 MB");
        }

        var maskAt = at;
        at += masked ? 4 : 0;
        if (data.Length < at + length)
        {
            return false;
        }

        var body = data.Slice(at, (int)length);
        if (masked)
        {
            var mask = data.Slice(maskAt, 4);
            for (var i = 0; i < body.Length; i++)
            {
                body[i] ^= mask[i & 3];
            }
        }

        payload = new Range(at, at + (int)length);
        consumed = at + (int)length;
        return true;
    }

    /// <summary>The Sec-WebSocket-Accept of a Sec-WebSocket-Key.</summary>
    public static string Accept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
}
