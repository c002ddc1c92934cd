using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Finding a peer that died mid-request: while requests are relayed to (or served for) other
/// distributors, their relay channels are checked every <see cref="DistributorOptions.RelayProbeInterval"/>
/// (<c>PUBSUB NUMSUB</c>, one round trip). A process killed even with -9 loses its subscriptions with
/// its connection; a channel found without a listener twice in a row (one answer may cross a reconnect)
/// belongs to a dead distributor. On a cluster the count is not known and the member timeout decides.
/// </summary>
internal sealed partial class SessionRelay
{
    private readonly Dictionary<string, int> _silentProbes = new(StringComparer.Ordinal);

    private async Task ProbeLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.RelayProbeInterval, _distributor.Time, stopping);
                await ProbeAsync();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
            {
                Log.ProbeFailed(Logger, ex);
            }
        }
    }

    private async Task ProbeAsync()
    {
        var peers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in _relayed.Values)
        {
            peers.Add(request.Holder);
        }

        foreach (var key in _served.Keys)
        {
            peers.Add(key.RelayedBy);
        }

        if (peers.Count == 0 || _distributor.Membership.InGrace)
        {
            _silentProbes.Clear();
            return;
        }

        var list = peers.ToList();
        var counts = await Bus.CountSubscribersAsync([.. list.Select(p => Bus.Channels.Relay(p))]);
        if (counts is null)
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var peer = list[i];
            if (counts[i] > 0)
            {
                _silentProbes.Remove(peer);
                continue;
            }

            var silent = _silentProbes.GetValueOrDefault(peer) + 1;
            _silentProbes[peer] = silent;
            if (silent >= 2)
            {
                _silentProbes.Remove(peer);
                Log.HolderLost(Logger, peer);
                OnPeerLost(peer);
            }
        }

        foreach (var gone in _silentProbes.Keys.Where(p => !peers.Contains(p)).ToList())
        {
            _silentProbes.Remove(gone);
        }
    }
}
