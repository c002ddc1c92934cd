using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Distribution;

/// <summary>Losing a backend: moving its sockets, re-sending what it did not receive, answering what it never answered.</summary>
internal sealed partial class RelayNamespace
{
    /// <summary>The most client events per socket awaiting their backend's answer.</summary>
    public int MaxPendingAcks => Options.MaxPendingAcks;

    /// <summary>A socket of this namespace now awaits a backend's answer (the distributor probes owing backends while any does).</summary>
    public void OnAnswerOwed() => _distributor.OnAnswerOwed();

    /// <summary>True when PUBLISH's receiver count may declare a backend dead.</summary>
    public bool TrustReceiverCounts => _distributor.Bus.ReceiverCountsTrusted;

    /// <summary>The numbered backend inboxes of this distributor.</summary>
    public BackendInboxes Inboxes => _distributor.Inboxes;

    /// <summary>
    /// The one entry point for "this backend is gone" (heartbeat expired, departure announced, nobody
    /// listening on its inbox): its sockets move to another live replica (or are disconnected when none
    /// is left); what it held is re-sent, failed or left to it as <paramref name="loss"/> says. The task
    /// completes when every socket moved (at once, unless the members had to be read again first).
    /// </summary>
    public Task OnBackendLost(string backendId, BackendLoss loss)
    {
        if (PickBackend(exclude: backendId) is null && _sockets.Values.Any(s => s.BackendId == backendId))
        {
            // No other replica in the view, which may be a heartbeat behind (a replica that just started,
            // as in a rolling restart): read the members again before giving up on these sockets.
            return MoveAfterRefreshAsync(backendId, loss);
        }

        MoveSocketsOf(backendId, loss);
        return Task.CompletedTask;
    }

    private async Task MoveAfterRefreshAsync(string backendId, BackendLoss loss)
    {
        try
        {
            await _distributor.Membership.RefreshAsync();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            // Redis is gone or the distributor stops: decide with the view we have.
            FailoverLog.RefreshFailed(Logger, ex);
        }

        try
        {
            MoveSocketsOf(backendId, loss);
        }
        catch (Exception ex) when (ex is InvalidOperationException or StackExchange.Redis.RedisException)
        {
            // The distributor is stopping, or Redis went away meanwhile: the heartbeat path takes over.
            FailoverLog.ReactionFailed(Logger, ex, backendId);
        }
    }

    private void MoveSocketsOf(string backendId, BackendLoss loss)
    {
        foreach (var relay in _sockets.Values.Where(s => s.BackendId == backendId || s.HoldsFor(backendId)))
        {
            MoveToAnotherBackend(relay, backendId, loss);
        }

        if (loss == BackendLoss.Dead)
        {
            _distributor.CountPossiblyLost(backendId);
        }
    }

    /// <summary>A draining backend is gone for good: events it never answered get an error ack.</summary>
    public void FailAcksOf(string backendId)
    {
        foreach (var relay in _sockets.Values)
        {
            relay.FailAcksOf(backendId);
        }
    }

    /// <summary>Redis said nobody listens on <paramref name="backendId"/>'s inbox (called from publish replies: never throws).</summary>
    public void OnBackendUnreachable(string backendId)
    {
        try
        {
            _distributor.OnBackendUnreachable(backendId);
        }
        catch (Exception ex) when (ex is InvalidOperationException or StackExchange.Redis.RedisException)
        {
            // The distributor is stopping, or Redis went away meanwhile: the heartbeat path takes over.
            FailoverLog.ReactionFailed(Logger, ex, backendId);
        }
    }

    public void OnAckUntracked()
    {
        _distributor.Statistics.OnAckUntracked();
        DistributorMetrics.AcksUntracked.Add(1);
    }

    public void OnNotResent()
    {
        _distributor.Statistics.OnPossiblyLost(1);
        DistributorMetrics.EventsPossiblyLost.Add(1);
    }

    public void OnResent(int count)
    {
        _distributor.Statistics.OnResent(count);
        DistributorMetrics.PacketsResent.Add(count);
    }

    public void OnAcksFailed(int count, string backendId)
    {
        _distributor.Statistics.OnAcksFailed(count);
        DistributorMetrics.AcksFailed.Add(count);
        FailoverLog.AcksFailed(Logger, count, Name, backendId);
    }
}
