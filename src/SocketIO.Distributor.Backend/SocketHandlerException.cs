namespace SocketIO.Distributor.Backend;

/// <summary>
/// An error meant for the client: thrown from an <see cref="BackendSocket.OnAsync{T, TResult}"/>
/// handler, its message becomes the acknowledgement's first argument. Any other exception is
/// logged and the client receives <c>"Internal server error"</c>.
/// </summary>
public sealed class SocketHandlerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SocketHandlerException()
    {
    }

    /// <summary>Creates the exception with the message the client sees.</summary>
    /// <param name="message">The message the client sees.</param>
    public SocketHandlerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause (the cause is not sent).</summary>
    /// <param name="message">The message the client sees.</param>
    /// <param name="innerException">The cause.</param>
    public SocketHandlerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
