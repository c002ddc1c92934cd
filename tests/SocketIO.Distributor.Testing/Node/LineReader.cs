namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// Reads a child process's output line by line on a thread of its own. A Node client writes its stdout
/// synchronously (pipes are synchronous in Node on Linux): a reader that falls behind (an async loop
/// whose continuations wait for xUnit's few test threads, or a starved thread pool) would stall the whole
/// client, which then stops reading its sockets and is cut by the server as a slow client.
/// </summary>
internal static class LineReader
{
    /// <summary>Calls <paramref name="onLine"/> for each line until the end of <paramref name="reader"/> (or its disposal); the task completes then, and fails only if <paramref name="onLine"/> threw.</summary>
    public static Task Start(TextReader reader, Action<string> onLine, string name)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                while (reader.ReadLine() is { } line)
                {
                    onLine(line);
                }

                ended.TrySetResult();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The process was disposed under the reader: its output ended all the same.
                ended.TrySetResult();
            }
            catch (Exception e)
            {
                ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return ended.Task;
    }
}
