namespace SocketIO.Distributor.Distribution;

/// <summary>How a backend was lost: it decides what happens to what a socket still holds against it.</summary>
internal enum BackendLoss
{
    /// <summary>
    /// Dead (its heartbeat expired, or nobody listens on its inbox and it never announced leaving):
    /// packets Redis did not confirm are re-sent to the new backend; events it received but never
    /// answered get a <c>BACKEND_LOST</c> error ack; events without ack it never reported handled are
    /// counted as possibly lost.
    /// </summary>
    Dead,

    /// <summary>
    /// It announced its departure and drains: it still handles and answers what it received, so
    /// nothing is re-sent or failed until it says it is done (<see cref="Protocol.Bus.BackendDrained"/>).
    /// </summary>
    Draining,

    /// <summary>
    /// A draining backend unsubscribed: packets that reached nobody are re-sent; what it received is
    /// still answered by it (or failed when it says it is done).
    /// </summary>
    Unsubscribed,
}
