namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// A backend that drained (it announced <see cref="MemberLeaving"/>, then handled what was already in
/// its inbox) is about to unsubscribe: whatever a distributor still holds against it (client events
/// with an ack id that it never answered) will not be answered. Sent to the inbox of each distributor
/// it knows, so that it arrives after the acks it sent there. Layout: <c>backendId: str</c>.
/// </summary>
/// <param name="BackendId">The backend.</param>
public sealed record BackendDrained(string BackendId) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.BackendDrained, 32);
        writer.WriteString(BackendId);
        return writer.ToArray();
    }

    internal static BackendDrained Read(ref BusReader reader) => new(reader.ReadString());
}

/// <summary>
/// How far a backend has handled what one distributor sent to its inbox: every numbered message up to
/// <see cref="HandledThrough"/> (the distributor's <c>channelSequence</c> on that inbox) was given to its
/// handlers. Sent to the distributor's inbox now and then (only when it moved), so that when the backend
/// dies the distributor can count the events without ack it received but never handled.
/// Layout: <c>backendId: str, handledThrough: u64</c>.
/// </summary>
/// <param name="BackendId">The backend.</param>
/// <param name="HandledThrough">The highest sequence number below which every message was handled.</param>
public sealed record InboxProgress(string BackendId, ulong HandledThrough) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.InboxProgress, 32);
        writer.WriteString(BackendId);
        writer.WriteVarUInt(HandledThrough);
        return writer.ToArray();
    }

    internal static InboxProgress Read(ref BusReader reader) => new(reader.ReadString(), reader.ReadVarUInt());
}

/// <summary>
/// A distributor checks that somebody still listens on a backend's inbox (PUBLISH answers with the
/// receiver count): sent only while that backend owes answers to client events, so a backend that died
/// while its clients wait is noticed within a probe interval rather than a member timeout. The backend
/// ignores it. Layout: <c>senderId: str</c>.
/// </summary>
/// <param name="SenderId">The probing distributor.</param>
public sealed record InboxProbe(string SenderId) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.InboxProbe, 16);
        writer.WriteString(SenderId);
        return writer.ToArray();
    }

    internal static InboxProbe Read(ref BusReader reader) => new(reader.ReadString());
}

/// <summary>
/// A distributor read a backend's <see cref="MemberLeaving"/> and moved every socket it holds there
/// to another replica: nothing more from it follows on that backend's inbox. Sent on the backend's
/// inbox, in order behind everything the distributor sent there, so a draining backend that has
/// this from every live distributor knows it has received all it will receive (no silence to wait
/// out). Sent only by distributors that say so (<see cref="MemberInfo.AcknowledgesDepartures"/>).
/// Layout: <c>distributorId: str</c>.
/// </summary>
/// <param name="DistributorId">The distributor.</param>
public sealed record DepartureSeen(string DistributorId) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.DepartureSeen, 32);
        writer.WriteString(DistributorId);
        return writer.ToArray();
    }

    internal static DepartureSeen Read(ref BusReader reader) => new(reader.ReadString());
}
