using System.Text.Json;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>A batch carries several bus messages in one pub/sub message and gives them back unchanged, in order.</summary>
public sealed class MessageBatchTests
{
    private static readonly byte[][] Messages =
    [
        new SendToSocket("d1.a", EmitFlags.None, [new EngineFrame("42[\"e\",1]"u8.ToArray(), false)], "b1", 1).Encode(),
        new InboxProgress("b1", 7).Encode(),
        new SendToSocket("d1.b", EmitFlags.Volatile, [EngineFrame.Binary(new byte[] { 0, 1, 2 })], "b1", 2, AnswersAck: 5).Encode(),
        new ClientPacket("d1.a", "21[\"hi\"]"u8.ToArray(), [new byte[300]], "d1", 3).Encode(),
    ];

    [Fact]
    public void A_batch_splits_into_the_same_messages_in_the_same_order()
    {
        var batch = MessageBatch.Encode(Messages);

        Assert.True(MessageBatch.IsBatch(batch));
        var parts = MessageBatch.Split(batch);

        Assert.Equal(Messages.Length, parts.Length);
        for (var i = 0; i < Messages.Length; i++)
        {
            Assert.Equal(Messages[i], parts[i].ToArray());
            Assert.Equal(BusMessage.Decode(Messages[i]).GetType(), BusMessage.Decode(parts[i]).GetType());
        }
    }

    [Fact]
    public void A_single_message_is_not_a_batch_and_a_batch_is_not_decoded_as_one_message()
    {
        Assert.All(Messages, m => Assert.False(MessageBatch.IsBatch(m)));
        Assert.False(MessageBatch.IsBatch([]));

        var batch = MessageBatch.Encode(Messages);

        var error = Assert.Throws<BusFormatException>(() => BusMessage.Decode(batch));
        Assert.Contains("split by the bus", error.Message, StringComparison.Ordinal);
        Assert.Throws<BusFormatException>(() => MessageBatch.Split(Messages[0]));
    }

    [Fact]
    public void Every_cut_off_batch_is_a_format_error_or_a_shorter_batch_never_another_exception()
    {
        var batch = MessageBatch.Encode(Messages);

        for (var length = 0; length < batch.Length; length++)
        {
            try
            {
                var parts = MessageBatch.Split(batch.AsMemory(0, length));
                Assert.True(parts.Length <= Messages.Length);
            }
            catch (BusFormatException)
            {
                // Expected for almost every prefix.
            }
        }
    }

    [Fact]
    public void A_registry_entry_from_before_batches_says_its_process_does_not_read_them()
    {
        var old = JsonSerializer.Deserialize("{\"id\":\"d1\",\"kind\":\"Distributor\",\"namespaces\":[\"/chat\"]}", MemberInfoJsonContext.Default.MemberInfo)!;
        var current = new MemberInfo { Id = "d2", Kind = MemberKind.Distributor, ReadsBatches = true };

        var roundTripped = JsonSerializer.Deserialize(JsonSerializer.Serialize(current, MemberInfoJsonContext.Default.MemberInfo), MemberInfoJsonContext.Default.MemberInfo)!;

        Assert.False(old.ReadsBatches);
        Assert.True(roundTripped.ReadsBatches);
    }
}
