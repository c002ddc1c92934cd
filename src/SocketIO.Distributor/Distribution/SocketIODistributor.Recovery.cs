using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Connection state recovery on the distributor's side: a CONNECT that carries a session's pid keeps
/// the socket's former id (even one another distributor gave), and what is sent to a socket that
/// moved away from here is passed on to wherever it is now.
/// </summary>
public sealed partial class SocketIODistributor
{
    private long _forwardSequence;

    /// <summary>
    /// Replay log reads at once: a thousand clients back together read in turns, each quickly, rather
    /// than all at once until Redis answers none of them in time.
    /// </summary>
    internal SemaphoreSlim ReplayReads { get; } = new(16, 16);

    /// <summary>The id a recovering CONNECT keeps; null for a new id (no pid, or that id is in use here).</summary>
    private string? RecoveredSocketId(string nsp, ReadOnlyMemory<byte> auth)
    {
        if (!_namespaces.ContainsKey(nsp) || !SessionPid.TryRead(auth, out var socketId, out _))
        {
            return null;
        }

        return _sockets.ContainsKey(socketId) || _pendingConnects.ContainsKey(socketId) ? null : socketId;
    }

    /// <summary>
    /// Frames for a socket not here: if it was recovered on another distributor (its id names this
    /// one), that one listens on the room of its id; they are passed on there as a broadcast to that
    /// room (nobody listens when the socket is simply gone).
    /// </summary>
    private void ForwardToMovedSocket(SendToSocket send)
    {
        if (send.Frames.Count == 0 || send.Frames[0].IsBinary || send.Frames[0].Bytes.Length < 2)
        {
            return;
        }

        if (SocketPacketParser.Parse(send.Frames[0].Bytes[1..], out var packet) != DecodeError.None || !_namespaces.ContainsKey(packet.NamespaceName))
        {
            return;
        }

        var sequence = (ulong)Interlocked.Increment(ref _forwardSequence);
        var broadcast = new Broadcast(packet.NamespaceName, [send.SocketId], [], send.Flags, Id + ":forward", sequence, send.Frames);
        Bus.Publish(Bus.Channels.Room(packet.NamespaceName, send.SocketId), broadcast.Encode());
        Statistics.OnForwardedToMovedSocket();
    }
}
