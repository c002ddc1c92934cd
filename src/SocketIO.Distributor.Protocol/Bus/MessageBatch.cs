namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// Several bus messages for one channel in one pub/sub message, so a busy sender pays Redis (and its
/// receivers pay their client library) once for many. Layout: <c>[1][33][blocks: each an encoded
/// message]</c>. The bus splits a batch before its subscribers see it: they receive the messages one by
/// one, in order, exactly as if each had been published alone. A sender batches only for a receiver
/// that says it reads batches (<see cref="MemberInfo.ReadsBatches"/>), so processes from before batches
/// existed keep working beside new ones.
/// </summary>
public static class MessageBatch
{
    /// <summary>True if <paramref name="bytes"/> is a batch (by its envelope; the parts are not checked).</summary>
    /// <param name="bytes">A message as received.</param>
    /// <returns>True for a batch.</returns>
    public static bool IsBatch(ReadOnlySpan<byte> bytes) => BusMessage.PeekType(bytes) == BusMessageType.Batch;

    /// <summary>Encodes <paramref name="messages"/> (each an encoded bus message) as one batch.</summary>
    /// <param name="messages">The messages, in order.</param>
    /// <returns>The batch.</returns>
    public static byte[] Encode(IReadOnlyList<byte[]> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var size = 2 + 5;
        for (var i = 0; i < messages.Count; i++)
        {
            size += messages[i].Length + 5;
        }

        var writer = new BusWriter(BusMessageType.Batch, size);
        writer.WriteBlocks(messages);
        return writer.ToArray();
    }

    /// <summary>The messages of a batch, in order (slices of <paramref name="batch"/>).</summary>
    /// <param name="batch">A batch (<see cref="IsBatch"/>).</param>
    /// <returns>The messages.</returns>
    /// <exception cref="BusFormatException">The bytes are not a well-formed batch.</exception>
    public static ReadOnlyMemory<byte>[] Split(ReadOnlyMemory<byte> batch)
    {
        if (!IsBatch(batch.Span))
        {
            throw new BusFormatException("Not a batch of bus messages.");
        }

        try
        {
            var reader = new BusReader(batch);
            return reader.ReadBlocks();
        }
        catch (ArgumentException ex)
        {
            throw new BusFormatException("Batch of bus messages is malformed: " + ex.Message, ex);
        }
    }
}
