using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// One recoverable emit, kept for connection state recovery as a member of the namespace's replay
/// log (a sorted set, <see cref="RecoveryKeys.ReplayLog"/>, scored by <see cref="RecoveryOffset.TryScore"/>);
/// it is never published. The frames are the exact bytes the clients got, their offset included.
/// Layout: <c>offset: str, rooms: str[], except: str[], frames: frames</c>. An emit to one socket has
/// that socket's id as its only room.
/// </summary>
/// <param name="Offset">The emit's offset (also the last argument of its EVENT).</param>
/// <param name="Rooms">The rooms targeted (a union); empty for the whole namespace.</param>
/// <param name="Except">Rooms whose sockets were left out.</param>
/// <param name="Frames">The frames, as written to the clients.</param>
public sealed record ReplayEntry(string Offset, IReadOnlyCollection<string> Rooms, IReadOnlyCollection<string> Except, IReadOnlyList<EngineFrame> Frames) : IBusMessage
{
    /// <inheritdoc />
    public byte[] Encode()
    {
        var writer = new BusWriter(BusMessageType.ReplayEntry, 64 + SendToSocket.FramesSize(Frames));
        writer.WriteString(Offset);
        writer.WriteStrings(Rooms);
        writer.WriteStrings(Except);
        writer.WriteFrames(Frames);
        return writer.ToArray();
    }

    /// <summary>True if a socket in <paramref name="socketRooms"/> (its own id included) was targeted.</summary>
    /// <param name="socketRooms">The socket's rooms at the time of the replay.</param>
    /// <returns>True if the socket was a target.</returns>
    public bool Targets(IReadOnlySet<string> socketRooms)
    {
        foreach (var room in Except)
        {
            if (socketRooms.Contains(room))
            {
                return false;
            }
        }

        if (Rooms.Count == 0)
        {
            return true;
        }

        foreach (var room in Rooms)
        {
            if (socketRooms.Contains(room))
            {
                return true;
            }
        }

        return false;
    }

    internal static ReplayEntry Read(ref BusReader reader) =>
        new(reader.ReadString(), reader.ReadStrings(), reader.ReadStrings(), reader.ReadFrames());
}

/// <summary>The Redis keys of connection state recovery (each command uses one key: cluster-safe).</summary>
public static class RecoveryKeys
{
    /// <summary>
    /// The namespace's replay log: a sorted set of <see cref="ReplayEntry"/> scored by offset, trimmed
    /// by age (older than the longest disconnection) and by count. Its hash tag is the namespace
    /// channel's name (<c>siod:replay:{siod:n:/chat}</c>), so on a Redis Cluster the log lives on the node
    /// of the namespace's sharded channel: a backend's write to the log and its publish then take one
    /// connection, in that order, and a distributor that got the publish reads the log with the entry in
    /// it. (In different slots, a publish could overtake its log entry, and a socket recovering just then
    /// miss the event: neither live, since it joined after, nor replayed, since the log did not hold it yet.)
    /// </summary>
    /// <param name="prefix">The deployment's channel prefix.</param>
    /// <param name="namespaceChannel">The namespace channel as the server knows it (<c>RedisBus.ServerChannel</c>).</param>
    /// <returns>The key.</returns>
    public static string ReplayLog(string prefix, string namespaceChannel) => ClusterSlots.KeyInSlotOf($"{prefix}:replay:", namespaceChannel);

    /// <summary>
    /// A disconnected socket's session, waiting to be recovered: a hash (<c>pid</c>, <c>offset</c>,
    /// <c>rooms</c>, <c>data</c>, <c>backend</c>) whose TTL is the longest disconnection.
    /// </summary>
    /// <param name="prefix">The deployment's channel prefix.</param>
    /// <param name="nsp">The namespace.</param>
    /// <param name="socketId">The socket.</param>
    /// <returns>The key.</returns>
    public static string Session(string prefix, string nsp, string socketId) => $"{prefix}:session:{nsp}:{socketId}";
}
