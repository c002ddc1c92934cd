using System.Buffers;
using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// Writes the primitives of the bus wire format: unsigned LEB128 varints, length-prefixed UTF-8
/// strings and byte blocks, lists, and frame lists. See <see cref="BusMessage"/> for the layouts.
/// <para>
/// A message is written into a buffer rented from <see cref="ArrayPool{T}.Shared"/> and copied once, at its
/// exact size, by <see cref="ToArray"/>, which gives the buffer back: encoding a message allocates that one
/// array (every publish on the hot path encodes one). Writing after <see cref="ToArray"/> is allowed and
/// never touches the array it returned.
/// </para>
/// </summary>
public sealed class BusWriter
{
    /// <summary>The least a writer rents: most messages fit, so they never grow.</summary>
    private const int MinimumRent = 256;

    private byte[] _buffer;
    private int _written;

    /// <summary>True while <see cref="_buffer"/> is rented (and must go back to the pool, once).</summary>
    private bool _rented;

    /// <summary>Starts a message of <paramref name="type"/> (writes the version and type bytes).</summary>
    /// <param name="type">The message type.</param>
    /// <param name="capacity">The expected size (a hint: the writer grows past it).</param>
    public BusWriter(BusMessageType type, int capacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, MinimumRent));
        _rented = true;
        WriteByte(BusMessage.Version);
        WriteByte((byte)type);
    }

    /// <summary>Writes one byte.</summary>
    /// <param name="value">The byte.</param>
    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _written++;
    }

    /// <summary>Writes a boolean as one byte.</summary>
    /// <param name="value">The value.</param>
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes an unsigned LEB128 varint.</summary>
    /// <param name="value">The value.</param>
    public void WriteVarUInt(ulong value)
    {
        var span = GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _written += i;
    }

    /// <summary>Writes a string: varint byte length, then UTF-8.</summary>
    /// <param name="value">The string.</param>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        _written += Encoding.UTF8.GetBytes(value, GetSpan(count));
    }

    /// <summary>Writes bytes: varint length, then the bytes.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt((ulong)value.Length);
        value.CopyTo(GetSpan(value.Length));
        _written += value.Length;
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

    /// <summary>Writes a list of byte blocks, as <see cref="WriteBlocks(IReadOnlyList{ReadOnlyMemory{byte}})"/>, from arrays (no list of memories to build).</summary>
    /// <param name="blocks">The blocks.</param>
    public void WriteBlocks(IReadOnlyList<byte[]> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        WriteVarUInt((ulong)blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            WriteBytes(blocks[i]);
        }
    }

    /// <summary>
    /// The message written so far, as a new array of its exact size. The rented buffer goes back to the
    /// pool; a write after this one continues in a buffer of its own.
    /// </summary>
    /// <returns>The bytes.</returns>
    public byte[] ToArray()
    {
        var message = _buffer.AsSpan(0, _written).ToArray();
        if (_rented)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _rented = false;
        }

        // Full: a further write grows into a new array and never touches the one returned.
        _buffer = message;
        return message;
    }

    /// <summary>Room for at least <paramref name="size"/> more bytes, after what is written.</summary>
    private Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _written < size)
        {
            Grow(size);
        }

        return _buffer.AsSpan(_written);
    }

    private void Grow(int size)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + size));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        if (_rented)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
        _rented = true;
    }
}
