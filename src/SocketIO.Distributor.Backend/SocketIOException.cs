namespace SocketIO.Distributor.Backend;

/// <summary>
/// An error meant for the client, with socket.io's error shape <c>{message, code?, data?}</c>:
/// <list type="bullet">
/// <item><description>thrown by a namespace middleware (<see cref="BackendNamespace.Use"/>): the client's CONNECT_ERROR
/// (<c>err.message</c>, <c>err.data</c> in socket.io-client; the payload also carries <c>code</c>);</description></item>
/// <item><description>thrown by a per-packet middleware (<see cref="BackendSocket.Use"/>) or an
/// <see cref="BackendSocket.OnAsync{T, TResult}"/> handler: the event's error ack, <c>[{message, code, data}]</c>;</description></item>
/// <item><description>passed to <see cref="SocketEvent.AckError(SocketIOException)"/> from any handler.</description></item>
/// </list>
/// </summary>
public class SocketIOException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What happened, for the client.</param>
    /// <param name="code">A stable code for programs (e.g. <c>"UNAUTHORIZED"</c>), or null.</param>
    /// <param name="data">Extra data (serialized with <see cref="BackendOptions.Json"/>), or null.</param>
    public SocketIOException(string message, string? code = null, object? data = null)
        : base(message)
    {
        Code = code;
        ErrorData = data;
    }

    /// <summary>Creates the error with a message and a cause (the cause is not sent).</summary>
    /// <param name="message">What happened, for the client.</param>
    /// <param name="innerException">The cause.</param>
    public SocketIOException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error with a generic message.</summary>
    public SocketIOException()
        : this("Error")
    {
    }

    /// <summary>A stable code for programs, or null.</summary>
    public string? Code { get; }

    /// <summary>Extra data for the client, or null.</summary>
    public object? ErrorData { get; }

    /// <summary>The error as the client receives it: <c>{message, code?, data?}</c> (absent members left out).</summary>
    /// <returns>A dictionary, so the keys stay as written whatever the JSON naming policy.</returns>
    public Dictionary<string, object?> ToPayload()
    {
        var payload = new Dictionary<string, object?>(StringComparer.Ordinal) { ["message"] = Message };
        if (Code is not null)
        {
            payload["code"] = Code;
        }

        if (ErrorData is not null)
        {
            payload["data"] = ErrorData;
        }

        return payload;
    }
}
