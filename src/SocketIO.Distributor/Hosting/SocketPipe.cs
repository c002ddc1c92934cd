using System.IO.Pipelines;
using System.Net.Sockets;

namespace SocketIO.Distributor.Hosting;

/// <summary>
/// The pipes of a connection the bare transport serves itself (<see cref="BareSocketListener"/>): a reader
/// and a writer straight on the socket, without <see cref="Pipe"/>s, a memory pool or a send loop. An idle
/// connection holds no buffer (the reader waits with a zero-byte receive and takes a pooled buffer when data
/// is there; the writer takes one per write and gives it back once sent). Writes are sent by a send queue's
/// work item with a non-blocking send, several writes to a connection in one send when they come in a burst;
/// only what the socket cannot take at once is sent asynchronously.
/// One reader and one writer at a time (the WebSocket over it serializes its sends).
/// </summary>
internal sealed class SocketPipe : IDuplexPipe
{
    /// <summary>Takes the socket's reads and writes (sets it non-blocking: a send never blocks the sending thread).</summary>
    public SocketPipe(Socket socket)
    {
        socket.Blocking = false;
        Input = new SocketPipeReader(socket);
        Output = new SocketPipeWriter(socket);
    }

    /// <inheritdoc />
    public PipeReader Input { get; }

    /// <inheritdoc />
    public PipeWriter Output { get; }

    /// <summary>A socket error or a disposed socket: the connection is gone, which readers and writers see as completion.</summary>
    internal static bool IsConnectionGone(Exception ex) => ex is SocketException or ObjectDisposedException or OperationCanceledException;
}
