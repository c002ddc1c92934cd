namespace SocketIO.Distributor.Distribution;

/// <summary>The namespace's part of reconciliation with the backends (see <see cref="SocketIODistributor"/>).</summary>
internal sealed partial class RelayNamespace
{
    /// <summary>The sockets of this namespace assigned to <paramref name="backendId"/>, accepted or waiting for its answer.</summary>
    public IReadOnlyList<string> SocketsServedBy(string backendId) =>
        [.. _sockets.Values.Where(s => s.BackendId == backendId).Select(s => s.Id)];

    /// <summary>
    /// The backend does not hold this accepted socket: ask it again with a recovery CONNECT (it runs its
    /// middleware and connection handlers with <c>Recovered</c> set), or another live backend if it is gone.
    /// </summary>
    public void Reattach(RelaySocket relay, string backendId)
    {
        if (!_distributor.Membership.IsLive(backendId))
        {
            MoveToAnotherBackend(relay, backendId, BackendLoss.Dead);
            return;
        }

        relay.AcceptedAt = _distributor.Time.GetTimestamp();
        SendConnectRequest(relay, backendId, recovered: true);
    }
}
