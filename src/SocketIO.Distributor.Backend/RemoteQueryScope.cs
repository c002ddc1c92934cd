using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>What a remote query does and to which sockets of a namespace.</summary>
/// <param name="Kind">Fetch, join, leave or disconnect.</param>
/// <param name="Namespace">The namespace.</param>
/// <param name="Rooms">Sockets in any of these rooms; empty for all.</param>
/// <param name="Except">Sockets in none of these rooms.</param>
/// <param name="TargetRooms">For join and leave: the rooms.</param>
/// <param name="Close">For disconnect: close the connections too.</param>
internal sealed record RemoteQueryScope(
    SocketCommandKind Kind,
    string Namespace,
    IReadOnlyCollection<string> Rooms,
    IReadOnlyCollection<string> Except,
    IReadOnlyCollection<string> TargetRooms,
    bool Close)
{
    /// <summary>The bus message for this scope.</summary>
    public RemoteQuery ToQuery(ulong requestId, string replyChannel) =>
        new(requestId, replyChannel, Kind, Namespace, Rooms, Except, TargetRooms, Close);
}
