using System.Buffers;
using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// Writes the primitives of the bus wire format: unsigned LEB128 varints, length-prefixed UTF-8
/// strings and byte blocks, lists, and frame lists. See <see cref="BusMessage"/> for the layouts.
/// </summary>
public sealed class BusWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    /// <summary>Starts a message of <paramref name="type"/> (writes the version and type bytes).</summary>
    /// <param name="type">The message type.</param>
    /// <param name="capacity">The expected size.</param>
    public BusWriter(BusMessageType type, int capacity = 256)
    {
        _buffer = new ArrayBufferWriter<byte>(capacity);
        WriteByte(BusMessage.Version);
        WriteByte((byte)type);
    }

    /// <summary>Writes one byte.</summary>
    /// <param name="value">The byte.</param>
    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Writes a boolean as one byte.</summary>
    /// <param name="value">The value.</param>
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes an unsigned LEB128 varint.</summary>
    /// <param name="value">The value.</param>
    public void WriteVarUInt(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    /// <summary>Writes a string: varint byte length, then UTF-8.</summary>
    /// <param name="value">The string.</param>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }

    /// <summary>Writes bytes: varint length, then the bytes.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Writes a list of strings: varint count, then each string.</summary>
    /// <param name="values">The strings.</param>
    public void WriteStrings(IReadOnlyCollection<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        WriteVarUInt((ulong)values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    /// <summary>Writes a list of Engine.IO frames: varint count, then per frame a flag byte (1 = binary) and its bytes.</summary>
    /// <param name="frames">The frames.</param>
    public void WriteFrames(IReadOnlyList<EngineFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        WriteVarUInt((ulong)frames.Count);
        foreach (var frame in frames)
        {
            WriteBool(frame.IsBinary);
            WriteBytes(frame.Bytes.Span);
        }
    }

    /// <summary>Writes a list of byte blocks: varint count, then each block.</summary>
    /// <param name="blocks">The blocks.</param>
    public void WriteBlocks(IReadOnlyList<ReadOnlyMemory<byte>> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        WriteVarUInt((ulong)blocks.Count);
        foreach (var block in blocks)
        {
            WriteBytes(block.Span);
        }
    }

    /// <summary>The message written so far, as a new array.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
