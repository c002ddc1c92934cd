namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>A bus message could not be decoded: truncated, or of an unknown version.</summary>
public sealed class BusFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BusFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public BusFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public BusFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
