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

    /// <summary>
    /// Answers the client's callback with an error, <c>{message, code?, data?}</c> as the first and only
    /// argument (the shape socket.io uses for errors), for RPC-style handlers.
    /// </summary>
    /// <param name="message">What went wrong, for the client.</param>
    /// <param name="code">A stable code for programs, or null.</param>
    /// <param name="data">Extra data, or null.</param>
    public void AckError(string message, string? code = null, object? data = null) => AckError(new SocketIOException(message, code, data));

    /// <summary>Answers the client's callback with <paramref name="error"/>'s <c>{message, code?, data?}</c>.</summary>
    /// <param name="error">The error.</param>
    public void AckError(SocketIOException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Ack(error.ToPayload());
    }
}
