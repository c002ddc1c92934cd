namespace SocketIO.Distributor.Backend;

/// <summary>
/// Thrown by a namespace middleware to refuse a connection: the client receives a CONNECT_ERROR
/// whose message is <see cref="Exception.Message"/> and whose data is <see cref="SocketIOException.ErrorData"/>
/// (any <see cref="SocketIOException"/> does the same, with its code too).
/// </summary>
public sealed class ConnectionRejectedException : SocketIOException
{
    /// <summary>Creates the exception with the message the client sees and optional data.</summary>
    /// <param name="message">The message the client sees.</param>
    /// <param name="data">Extra data for the client (serialized with <see cref="BackendOptions.Json"/>), or null.</param>
    public ConnectionRejectedException(string message, object? data = null)
        : base(message, null, data)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public ConnectionRejectedException()
        : this("Connection rejected", null)
    {
    }
}
