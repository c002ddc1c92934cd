using System.Text;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// Reads the primitives written by <see cref="BusWriter"/>. Byte blocks and frames are slices of the
/// message (no copies). Reading past the end throws <see cref="BusFormatException"/>; fields added
/// by newer versions after the ones a reader knows are ignored (<see cref="HasMore"/> tells).
/// </summary>
public struct BusReader
{
    private readonly ReadOnlyMemory<byte> _message;
    private int _position;

    /// <summary>Starts reading a whole message: checks the version and reads the type.</summary>
    /// <param name="message">The message.</param>
    public BusReader(ReadOnlyMemory<byte> message)
    {
        _message = message;
        _position = 0;
        var version = ReadByte();
        if (version != BusMessage.Version)
        {
            throw new BusFormatException($"Bus message version {version} is not supported (expected {BusMessage.Version}).");
        }

        Type = (BusMessageType)ReadByte();
    }

    /// <summary>The message type.</summary>
    public BusMessageType Type { get; }

    /// <summary>True if unread bytes remain (fields of a newer version).</summary>
    public readonly bool HasMore => _position < _message.Length;

    /// <summary>Reads one byte.</summary>
    /// <returns>The byte.</returns>
    public byte ReadByte()
    {
        if (_position >= _message.Length)
        {
            throw new BusFormatException("Bus message is truncated.");
        }

        return _message.Span[_position++];
    }

    /// <summary>Reads a boolean byte.</summary>
    /// <returns>The value.</returns>
    public bool ReadBool() => ReadByte() != 0;

    /// <summary>Reads an unsigned LEB128 varint.</summary>
    /// <returns>The value.</returns>
    public ulong ReadVarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new BusFormatException("Bus message has an overlong varint.");
    }

    /// <summary>Reads a length-prefixed UTF-8 string.</summary>
    /// <returns>The string.</returns>
    public string ReadString() => Encoding.UTF8.GetString(ReadBytes().Span);

    /// <summary>Reads a length-prefixed byte block (a slice of the message).</summary>
    /// <returns>The bytes.</returns>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        var length = ReadVarUInt();
        if (length > (ulong)(_message.Length - _position))
        {
            throw new BusFormatException("Bus message is truncated.");
        }

        var slice = _message.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>Reads a list of strings.</summary>
    /// <returns>The strings.</returns>
    public string[] ReadStrings()
    {
        var count = ReadCount();
        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ReadString();
        }

        return values;
    }

    /// <summary>Reads a list of frames (slices of the message).</summary>
    /// <returns>The frames.</returns>
    public EngineFrame[] ReadFrames()
    {
        var count = ReadCount();
        var frames = new EngineFrame[count];
        for (var i = 0; i < count; i++)
        {
            var binary = ReadBool();
            frames[i] = new EngineFrame(ReadBytes(), binary);
        }

        return frames;
    }

    /// <summary>Reads a list of byte blocks (slices of the message).</summary>
    /// <returns>The blocks.</returns>
    public ReadOnlyMemory<byte>[] ReadBlocks()
    {
        var count = ReadCount();
        var blocks = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            blocks[i] = ReadBytes();
        }

        return blocks;
    }

    internal int ReadCount()
    {
        var count = ReadVarUInt();
        if (count > (ulong)(_message.Length - _position))
        {
            // Every element takes at least one byte: a larger count cannot be honest.
            throw new BusFormatException("Bus message has an impossible element count.");
        }

        return (int)count;
    }
}
