using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SocketIO.Distributor.EngineIO;

/// <summary>The frame opcodes of RFC 6455 §5.2.</summary>
internal enum WebSocketOpcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

/// <summary>
/// RFC 6455 framing, server side: reading a client's frame header (client frames are always masked),
/// unmasking its payload, and writing the server's frames (never masked).
/// </summary>
internal static class WebSocketFrames
{
    /// <summary>The longest header a server writes: 2 bytes, then 8 bytes of length.</summary>
    public const int MaxServerHeader = 10;

    /// <summary>The longest payload of a control frame (§5.5).</summary>
    public const int MaxControlPayload = 125;

    /// <summary>One parsed client frame header.</summary>
    public readonly record struct Header(bool Fin, WebSocketOpcode Opcode, long PayloadLength, int MaskKey, int HeaderLength)
    {
        /// <summary>True for Close, Ping and Pong.</summary>
        public bool IsControl => ((byte)Opcode & 0x8) != 0;
    }

    /// <summary>Why a client's frame header is refused (each a protocol error, close code 1002).</summary>
    public enum HeaderError
    {
        None,
        NeedMore,
        ReservedBits,
        UnknownOpcode,
        NotMasked,
        BadControlFrame,
        BadLength,
    }

    /// <summary>Reads a client frame's header from the start of <paramref name="buffer"/>.</summary>
    public static HeaderError TryReadHeader(in ReadOnlySequence<byte> buffer, out Header header)
    {
        header = default;
        Span<byte> head = stackalloc byte[14];
        var available = (int)Math.Min(buffer.Length, head.Length);
        if (available < 2)
        {
            return HeaderError.NeedMore;
        }

        buffer.Slice(0, available).CopyTo(head);
        var first = head[0];
        var second = head[1];
        if ((first & 0x70) != 0)
        {
            return HeaderError.ReservedBits;
        }

        var opcode = (WebSocketOpcode)(first & 0x0F);
        if (opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
        {
            return HeaderError.UnknownOpcode;
        }

        if ((second & 0x80) == 0)
        {
            return HeaderError.NotMasked;
        }

        var fin = (first & 0x80) != 0;
        long length = second & 0x7F;
        var lengthBytes = length switch { 126 => 2, 127 => 8, _ => 0 };
        var total = 2 + lengthBytes + 4;
        if (available < total)
        {
            return HeaderError.NeedMore;
        }

        if (lengthBytes == 2)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
        }
        else if (lengthBytes == 8)
        {
            var wide = BinaryPrimitives.ReadUInt64BigEndian(head[2..]);
            if (wide > long.MaxValue)
            {
                return HeaderError.BadLength;
            }

            length = (long)wide;
        }

        if (((byte)opcode & 0x8) != 0 && (!fin || length > MaxControlPayload))
        {
            return HeaderError.BadControlFrame;
        }

        var maskKey = MemoryMarshal.Read<int>(head.Slice(2 + lengthBytes, 4));
        header = new Header(fin, opcode, length, maskKey, total);
        return HeaderError.None;
    }

    /// <summary>
    /// Unmasks <paramref name="data"/> in place, which starts <paramref name="offset"/> bytes into its frame's
    /// payload; returns the offset after it.
    /// </summary>
    public static int Unmask(Span<byte> data, int maskKey, int offset)
    {
        var shift = offset & 3;
        if (data.Length >= 16)
        {
            // The key as it lines up with data[0], repeated over 8 bytes (the key is read little-endian, like the data).
            var rotated = BitOperations.RotateRight((uint)maskKey, shift * 8);
            var wide = ((ulong)rotated << 32) | rotated;
            var words = MemoryMarshal.Cast<byte, ulong>(data);
            for (var i = 0; i < words.Length; i++)
            {
                words[i] ^= wide;
            }

            var done = words.Length * 8;
            UnmaskBytes(data[done..], maskKey, shift + done);
        }
        else
        {
            UnmaskBytes(data, maskKey, shift);
        }

        return (offset + data.Length) & 3;
    }

    private static void UnmaskBytes(Span<byte> data, int maskKey, int offset)
    {
        Span<byte> key = stackalloc byte[4];
        MemoryMarshal.Write(key, in maskKey);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= key[(offset + i) & 3];
        }
    }

    /// <summary>Writes one unmasked server frame (header and payload) to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, WebSocketOpcode opcode, bool fin, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(MaxServerHeader + payload.Length);
        var headerLength = WriteHeader(span, opcode, fin, payload.Length);
        payload.CopyTo(span[headerLength..]);
        output.Advance(headerLength + payload.Length);
    }

    /// <summary>Writes a server frame's header; returns its length.</summary>
    public static int WriteHeader(Span<byte> span, WebSocketOpcode opcode, bool fin, int payloadLength)
    {
        span[0] = (byte)((fin ? 0x80 : 0) | (byte)opcode);
        if (payloadLength <= 125)
        {
            span[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            span[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)payloadLength);
            return 4;
        }

        span[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(span[2..], (ulong)payloadLength);
        return 10;
    }
}
