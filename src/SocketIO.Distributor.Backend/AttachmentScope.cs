namespace SocketIO.Distributor.Backend;

/// <summary>
/// The binary attachments of the payload being serialized or deserialized on this thread.
/// System.Text.Json converters are synchronous, so a thread-static list is enough to let
/// <see cref="AttachmentConverters"/> turn byte arrays into Socket.IO placeholders and back.
/// </summary>
internal static class AttachmentScope
{
    [ThreadStatic]
    private static List<ReadOnlyMemory<byte>>? t_writing;

    [ThreadStatic]
    private static IReadOnlyList<ReadOnlyMemory<byte>>? t_reading;

    /// <summary>Collects attachments of the payload being written; null outside an emit (bytes become base64).</summary>
    public static List<ReadOnlyMemory<byte>>? Writing => t_writing;

    /// <summary>The attachments placeholders refer to while reading; null when there are none.</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>>? Reading => t_reading;

    /// <summary>Runs <paramref name="write"/> with <paramref name="attachments"/> collecting placeholders.</summary>
    public static void RunWriting(List<ReadOnlyMemory<byte>> attachments, Action write)
    {
        var previous = t_writing;
        t_writing = attachments;
        try
        {
            write();
        }
        finally
        {
            t_writing = previous;
        }
    }

    /// <summary>Runs <paramref name="read"/> with placeholders resolving to <paramref name="attachments"/>.</summary>
    public static T RunReading<T>(IReadOnlyList<ReadOnlyMemory<byte>> attachments, Func<T> read)
    {
        var previous = t_reading;
        t_reading = attachments;
        try
        {
            return read();
        }
        finally
        {
            t_reading = previous;
        }
    }
}
