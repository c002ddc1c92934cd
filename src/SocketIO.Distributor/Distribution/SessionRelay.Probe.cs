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

    /// <summary>Completed when a request is relayed or served after the probe found nothing to watch.</summary>
    private TaskCompletionSource _relayWork = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A request is relayed or served: the probe loop runs (it sleeps while there is none).</summary>
    private void OnRelayWork() => Volatile.Read(ref _relayWork).TrySetResult();

    private async Task ProbeLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Nothing relayed or served: no wake-up every interval, but a wait for the next request
                // (read the signal first: a request added after the check completes it).
                var work = Volatile.Read(ref _relayWork);
                if (_relayed.IsEmpty && _served.IsEmpty)
                {
                    _silentProbes.Clear();
                    await work.Task.WaitAsync(stopping);
                    Interlocked.CompareExchange(ref _relayWork, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), work);
                    continue;
                }

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
