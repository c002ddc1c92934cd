using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>What the backend API needs from a namespace: broadcast ack expiries, and room changes told to a socket's backend.</summary>
internal sealed partial class RelayNamespace
{
    /// <summary>
    /// The socket joined or left <paramref name="rooms"/> on <paramref name="requester"/>'s request (a reply
    /// channel; empty for a remote query): unless its own backend asked, tell that backend, so that its
    /// <c>socket.Rooms</c> is the truth kept here.
    /// </summary>
    public void TellRoomsChanged(RelaySocket relay, bool joined, IReadOnlyCollection<string> rooms, string requester)
    {
        if (rooms.Count == 0 || !relay.IsAccepted)
        {
            return;
        }

        var backendInbox = _distributor.Bus.Channels.Backend(relay.BackendId);
        if (requester == backendInbox)
        {
            return;
        }

        _distributor.Inboxes.PublishInOrder(relay.BackendId, () => new RoomsChanged(relay.Id, joined, rooms).Encode());
    }

    /// <summary>Ticks per second of the distributor's clock (for ack expiries).</summary>
    public long TimestampFrequency => _distributor.Time.TimestampFrequency;
}
