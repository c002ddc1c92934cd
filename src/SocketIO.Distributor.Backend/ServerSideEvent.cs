namespace SocketIO.Distributor.Backend;

/// <summary>An event another backend of the namespace sent with <see cref="BackendNamespace.ServerSideEmit"/>.</summary>
public sealed class ServerSideEvent
{
    private readonly Action<object?[]?>? _reply;
    private int _acked;

    internal ServerSideEvent(string name, string originId, SocketArguments arguments, Action<object?[]?>? reply)
    {
        Name = name;
        OriginId = originId;
        Arguments = arguments;
        _reply = reply;
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The backend that sent it.</summary>
    public string OriginId { get; }

    /// <summary>The arguments.</summary>
    public SocketArguments Arguments { get; }

    /// <summary>True if the sender waits for an answer (<see cref="BackendNamespace.ServerSideEmitWithAckAsync"/>).</summary>
    public bool HasAck => _reply is not null;

    /// <summary>Answers the sender; only the first call is sent, and nothing when it did not ask.</summary>
    /// <param name="args">The answer's arguments.</param>
    public void Ack(params object?[]? args)
    {
        if (_reply is not null && Interlocked.Exchange(ref _acked, 1) == 0)
        {
            _reply(args);
        }
    }
}

/// <summary>One backend's answer to <see cref="BackendNamespace.ServerSideEmitWithAckAsync"/>.</summary>
/// <param name="BackendId">The answering backend.</param>
/// <param name="Arguments">What it answered.</param>
public sealed record ServerSideAnswer(string BackendId, SocketArguments Arguments);

/// <summary>Not every other backend answered a server-side emit in time; <see cref="Answers"/> holds those that did.</summary>
public sealed class ServerSideAckTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="answers">The answers that came.</param>
    /// <param name="missing">The backends that did not answer.</param>
    /// <param name="timeout">How long the emitter waited.</param>
    public ServerSideAckTimeoutException(IReadOnlyList<ServerSideAnswer> answers, IReadOnlyList<string> missing, TimeSpan timeout)
        : base($"operation has timed out: no answer from backend(s) {string.Join(", ", missing)} within {timeout.TotalMilliseconds:0} ms")
    {
        Answers = answers;
        Missing = missing;
    }

    /// <summary>Creates the exception with nothing.</summary>
    public ServerSideAckTimeoutException()
        : this([], [], TimeSpan.Zero)
    {
    }

    /// <summary>The answers that came in time.</summary>
    public IReadOnlyList<ServerSideAnswer> Answers { get; }

    /// <summary>The backends that did not answer.</summary>
    public IReadOnlyList<string> Missing { get; }
}
