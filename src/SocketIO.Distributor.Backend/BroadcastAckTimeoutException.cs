namespace SocketIO.Distributor.Backend;

/// <summary>
/// Not every targeted client acknowledged a broadcast in time (socket.io's <c>emitWithAck</c> rejects, and its
/// callback form receives the error with the answers so far): <see cref="Answers"/> holds the answers that came.
/// </summary>
public sealed class BroadcastAckTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="answers">The answers that came in time.</param>
    /// <param name="expected">How many answers were expected (as far as the distributors that answered told).</param>
    /// <param name="timeout">How long the emitter waited.</param>
    public BroadcastAckTimeoutException(IReadOnlyList<SocketArguments> answers, int expected, TimeSpan timeout)
        : base($"operation has timed out: {answers.Count} of {expected} acknowledgement(s) within {timeout.TotalMilliseconds:0} ms")
    {
        Answers = answers;
        Expected = expected;
    }

    /// <summary>Creates the exception with no answers.</summary>
    public BroadcastAckTimeoutException()
        : this([], 0, TimeSpan.Zero)
    {
    }

    /// <summary>The answers that came in time, in arrival order.</summary>
    public IReadOnlyList<SocketArguments> Answers { get; }

    /// <summary>How many answers were expected (the sum of the counts the distributors reported).</summary>
    public int Expected { get; }
}
