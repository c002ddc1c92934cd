using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>
/// The writer encodes into a pooled buffer and copies the message out once: what it returns is exact,
/// never shared with the pool, and never changed by a later write.
/// </summary>
public sealed class BusWriterTests
{
    [Fact]
    public void A_message_far_larger_than_its_capacity_hint_is_written_whole()
    {
        var payload = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();
        var longId = new string('s', 5_000);

        var writer = new BusWriter(BusMessageType.Custom, capacity: 8);
        writer.WriteString(longId);
        writer.WriteBytes(payload);
        writer.WriteVarUInt(ulong.MaxValue);
        var message = writer.ToArray();

        Assert.Equal(2 + 2 + 5_000 + 3 + 70_000 + 10, message.Length);
        var reader = new BusReader(message);
        Assert.Equal(BusMessageType.Custom, reader.Type);
        Assert.Equal(longId, reader.ReadString());
        Assert.Equal(payload, reader.ReadBytes().ToArray());
        Assert.Equal(ulong.MaxValue, reader.ReadVarUInt());
        Assert.False(reader.HasMore);
    }

    [Fact]
    public void Writing_after_ToArray_leaves_the_returned_message_unchanged()
    {
        var writer = new BusWriter(BusMessageType.Custom);
        writer.WriteString("first");
        var first = writer.ToArray();
        var copy = first.ToArray();

        // Another writer on this thread now rents what the first gave back.
        var other = new BusWriter(BusMessageType.Custom);
        other.WriteBytes(new byte[200]);
        _ = other.ToArray();

        writer.WriteString("second");
        var both = writer.ToArray();

        Assert.Equal(copy, first);
        Assert.Equal(first, both.AsSpan(0, first.Length).ToArray());
        var reader = new BusReader(both);
        Assert.Equal("first", reader.ReadString());
        Assert.Equal("second", reader.ReadString());
        Assert.False(reader.HasMore);
    }

    [Fact]
    public async Task Writers_on_many_threads_at_once_each_get_their_own_message()
    {
        // Bounded: 4 threads × 2,000 messages of different sizes, each checked byte for byte.
        var failures = 0;
        var workers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var frame = new byte[(i * 37 % 900) + 1];
                Array.Fill(frame, (byte)t);
                var expected = new SendToSocket($"d{t}.{i}", EmitFlags.None, [EngineFrame.Binary(frame)], "b1", (ulong)i + 1);
                var decoded = (SendToSocket)BusMessage.Decode(expected.Encode());
                if (decoded.SocketId != expected.SocketId || decoded.ChannelSequence != expected.ChannelSequence
                    || !decoded.Frames[0].Bytes.Span.SequenceEqual(frame))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, failures);
    }
}
