namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>The sockets of one namespace in a <see cref="SocketInventory"/>.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="SocketIds">The socket ids.</param>
public sealed record SocketInventoryGroup(string Namespace, IReadOnlyList<string> SocketIds);

/// <summary>
/// Distributor to one backend (on the backend's inbox): every socket this distributor has assigned
/// to that backend, accepted or still waiting for its CONNECT answer. The backend disconnects
/// (reason <c>transport close</c>) its sockets of this distributor that are not listed, and answers
/// <see cref="SocketsUnknown"/> with the listed ids it does not hold.
/// Layout: <c>distributorId: str, groups: varint count + (namespace: str, socketIds: str[]) each</c>.
/// </summary>
/// <param name="DistributorId">The distributor that holds the clients.</param>
/// <param name="Groups">The sockets, per namespace.</param>
public sealed record SocketInventory(string DistributorId, IReadOnlyList<SocketInventoryGroup> Groups) : IBusMessage
{
    /// <summary>Every listed socket id.</summary>
    public IEnumerable<string> SocketIds => Groups.SelectMany(g => g.SocketIds);

    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.SocketInventory, 64 + Groups.Sum(g => 16 + (g.SocketIds.Count * 40)));
        writer.WriteString(DistributorId);
        writer.WriteVarUInt((ulong)Groups.Count);
        foreach (var group in Groups)
        {
            writer.WriteString(group.Namespace);
            writer.WriteStrings([.. group.SocketIds]);
        }

        return writer.ToArray();
    }

    internal static SocketInventory Read(ref BusReader reader)
    {
        var distributorId = reader.ReadString();
        var count = reader.ReadCount();
        var groups = new SocketInventoryGroup[count];
        for (var i = 0; i < count; i++)
        {
            groups[i] = new SocketInventoryGroup(reader.ReadString(), reader.ReadStrings());
        }

        return new SocketInventory(distributorId, groups);
    }
}

/// <summary>
/// Backend to one distributor (on the distributor's inbox): sockets the distributor believes this
/// backend serves but the backend does not hold (it lost them, e.g. it declared the distributor dead
/// while it was cut off, or it received a packet for one). The distributor re-attaches each with a
/// recovery <see cref="ConnectRequest"/>. Layout: <c>backendId: str, socketIds: str[]</c>.
/// </summary>
/// <param name="BackendId">The backend.</param>
/// <param name="SocketIds">The sockets it does not hold.</param>
public sealed record SocketsUnknown(string BackendId, IReadOnlyList<string> SocketIds) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.SocketsUnknown, 32 + (SocketIds.Count * 40));
        writer.WriteString(BackendId);
        writer.WriteStrings([.. SocketIds]);
        return writer.ToArray();
    }

    internal static SocketsUnknown Read(ref BusReader reader) => new(reader.ReadString(), reader.ReadStrings());
}

/// <summary>
/// Backend to every distributor (on the <c>all</c> channel): "send me your inventory". Sent after the
/// backend re-registers (a Redis reconnect, or it found it had been declared dead); each distributor
/// answers with a <see cref="SocketInventory"/> on the backend's inbox, empty if it holds no socket
/// of that backend. Layout: <c>backendId: str</c>.
/// </summary>
/// <param name="BackendId">The backend that asks.</param>
public sealed record ReconcileRequest(string BackendId) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.ReconcileRequest, 32);
        writer.WriteString(BackendId);
        return writer.ToArray();
    }

    internal static ReconcileRequest Read(ref BusReader reader) => new(reader.ReadString());
}
