using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Reconciliation with the backends, so that no socket known to only one side survives: this
/// distributor sends each backend the list of sockets it has assigned to it (<see cref="SocketInventory"/>);
/// the backend drops the sockets of this distributor that are not listed and answers
/// <see cref="SocketsUnknown"/> with those it does not hold, which are re-attached with a recovery CONNECT.
/// It runs after this distributor re-registers (a Redis reconnect, or it found it had been declared
/// dead), when the grace period after that ends, when a backend (re)appears, and when a backend asks
/// (<see cref="ReconcileRequest"/>).
/// </summary>
public sealed partial class SocketIODistributor
{
    private void WireReconciliation(Bus.ClusterMembership membership)
    {
        membership.Rejoined += OnRejoined;
        membership.GraceEnded += ReconcileWithEveryBackend;
        membership.MemberUp += OnMemberUp;
    }

    private void OnRejoined(string reason)
    {
        Log.Rejoined(Logger, Id, reason);
        ReconcileWithEveryBackend();
    }

    /// <summary>A backend appeared (new, restarted, or back after being declared dead): tell it which of its sockets are here.</summary>
    private void OnMemberUp(MemberInfo member)
    {
        if (member.Kind == MemberKind.Backend && (member.Namespaces.Any(_namespaces.ContainsKey) || HoldsSocketsOf(member.Id)))
        {
            SendInventory(member.Id);
        }
    }

    /// <summary>Sends an inventory to every live backend of this distributor's namespaces.</summary>
    private void ReconcileWithEveryBackend()
    {
        var backends = _namespaces.Keys
            .SelectMany(Membership.BackendsOf)
            .Select(b => b.Id)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var backendId in backends)
        {
            SendInventory(backendId);
        }
    }

    /// <summary>
    /// Sends <paramref name="backendId"/> the sockets assigned to it here (accepted or waiting for its
    /// answer). The list is taken under the backend inbox's lock, in order with the CONNECTs: a socket
    /// registered after it was taken has its CONNECT published after it, so the backend never receives
    /// a socket's CONNECT first and then an inventory that leaves it out (it would drop the socket as a
    /// ghost: sockets connecting while a backend reconciles at the end of its grace period).
    /// </summary>
    private void SendInventory(string backendId)
    {
        if (_bus is null)
        {
            return;
        }

        var count = 0;
        Inboxes.PublishInOrder(backendId, () =>
        {
            var groups = _namespaces.Values
                .Select(n => new SocketInventoryGroup(n.Name, n.SocketsServedBy(backendId)))
                .Where(g => g.SocketIds.Count > 0)
                .ToList();
            count = groups.Sum(g => g.SocketIds.Count);
            return new SocketInventory(Id, groups).Encode();
        });
        Statistics.OnInventorySent();
        Log.InventorySent(Logger, count, backendId);
    }

    /// <summary>
    /// A backend does not hold sockets that this distributor assigned to it: answer their unanswered
    /// events with an error ack and re-attach them (recovery CONNECT); see <see cref="RelaySocket.OnUnknownTo"/>.
    /// </summary>
    private void OnSocketsUnknown(SocketsUnknown unknown)
    {
        var reattached = 0;
        foreach (var socketId in unknown.SocketIds)
        {
            if (_sockets.TryGetValue(socketId, out var relay)
                && relay.IsAccepted
                && relay.BackendId == unknown.BackendId
                && _namespaces.TryGetValue(relay.Socket.Namespace, out var nsp))
            {
                // Its events that the backend dropped get an error ack now, rather than a timeout at the client.
                if (relay.OnUnknownTo(unknown.BackendId, Time, Options.Bus.HeartbeatInterval, () => nsp.Reattach(relay, unknown.BackendId)))
                {
                    reattached++;
                }
            }
        }

        if (reattached > 0)
        {
            Statistics.OnSocketsReattached(reattached);
            Log.SocketsReattached(Logger, reattached, unknown.BackendId);
        }
    }

    private bool HoldsSocketsOf(string backendId) => _sockets.Values.Any(s => s.BackendId == backendId);
}
