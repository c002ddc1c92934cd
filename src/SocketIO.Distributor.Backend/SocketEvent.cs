namespace SocketIO.Distributor.Backend;

/// <summary>An event from a client: its name, its arguments, and the client's callback if it passed one.</summary>
public sealed class SocketEvent
{
    private readonly long _ackId;
    private int _acked;

    internal SocketEvent(BackendSocket socket, string name, SocketArguments arguments, long ackId)
    {
        Socket = socket;
        Name = name;
        Arguments = arguments;
        _ackId = ackId;
    }

    /// <summary>The socket it came from.</summary>
    public BackendSocket Socket { get; }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The arguments, as the client sent them.</summary>
    public SocketArguments Arguments { get; }

    /// <summary>True if the client passed a callback and waits for <see cref="Ack"/>.</summary>
    public bool HasAck => _ackId >= 0;

    /// <summary>
    /// Calls the client's callback with <paramref name="args"/>. Only the first call is sent; without
    /// a callback nothing is sent.
    /// </summary>
    /// <param name="args">The arguments; a lone <see cref="SocketArguments"/> is sent unchanged.</param>
    public void Ack(params object?[]? args)
    {
        if (HasAck && Interlocked.Exchange(ref _acked, 1) == 0)
        {
            Socket.SendAck(_ackId, args);
        }
    }
}
