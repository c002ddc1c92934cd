using System.Collections.Concurrent;
using System.Diagnostics;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>A graceful stop: the sockets move to another replica while this one finishes what it received.</summary>
public sealed partial class SocketIOBackend
{
    private volatile Drain? _drain;

    /// <summary>A distributor moved its sockets off this draining backend: nothing more from it follows on the inbox.</summary>
    private void OnDepartureSeen(DepartureSeen seen) => _drain?.OnDepartureSeen(seen.DistributorId);

    /// <summary>
    /// One drain, bounded by <see cref="BackendOptions.DrainTimeout"/>. Measured on the system clock
    /// (not <see cref="Time"/>): a test's manual clock must not hold up a shutdown.
    /// <para>
    /// Every live distributor answers the departure with <see cref="DepartureSeen"/> on this backend's
    /// inbox once it moved its sockets, behind everything it sent here: when each has, everything it
    /// will ever receive has been received, and the inbox may close. A distributor that dies meanwhile
    /// is not waited for once the membership drops it. Only if some distributor does not acknowledge
    /// departures (a version from before them) is a silence on the inbox waited out as well. What is
    /// awaited is a run of a distributor: one restarted with the same id (a new
    /// <see cref="MemberInfo.StartedAt"/>) holds none of the sockets its predecessor sent here and, having
    /// found this backend leaving, sends it nothing, so it is not waited for either.
    /// </para>
    /// </summary>
    private sealed class Drain
    {
        private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
        private readonly SocketIOBackend _backend;
        private readonly ClusterMembership? _membership;
        private readonly long _started = Stopwatch.GetTimestamp();
        // The distributors that have not acknowledged yet, with the StartedAt of the run that was told.
        private readonly ConcurrentDictionary<string, long> _awaited = new(StringComparer.Ordinal);
        private readonly int _awaitedAtStart;
        private readonly TimeSpan _silence;
        private bool _waitForSilence;
        private int _acknowledged;

        private Drain(SocketIOBackend backend, ClusterMembership? membership)
        {
            _backend = backend;
            _membership = membership;
            var distributors = membership?.Live.Where(m => m.Kind == MemberKind.Distributor).ToList() ?? [];
            foreach (var distributor in distributors.Where(d => d.AcknowledgesDepartures))
            {
                _awaited.TryAdd(distributor.Id, distributor.StartedAt);
            }

            _awaitedAtStart = _awaited.Count;

            // A sender that will not say it is done (an older distributor, or one this view does not
            // list): distributors stop sending once they read the departure, so a short silence says it did.
            var silent = membership is null
                || distributors.Exists(d => !d.AcknowledgesDepartures)
                || backend._sockets.Values.Any(s => !_awaited.ContainsKey(s.DistributorId));
            _silence = TimeSpan.FromTicks(Math.Min(backend.Options.Bus.HeartbeatInterval.Ticks, TimeSpan.FromMilliseconds(250).Ticks));
            _waitForSilence = silent;
            BackendLog.Draining(backend._logger, backend.Id, backend.Options.DrainTimeout);
        }

        private bool TimedOut => Stopwatch.GetElapsedTime(_started) >= _backend.Options.DrainTimeout;

        /// <summary>Starts a drain, or returns null when there is nothing to drain (no sockets, or no drain configured).</summary>
        public static Drain? Start(SocketIOBackend backend, ClusterMembership? membership) =>
            backend.Options.DrainTimeout > TimeSpan.Zero && !backend._sockets.IsEmpty ? new Drain(backend, membership) : null;

        /// <summary>The departure could not be announced (Redis unreachable): no acknowledgement will come, only a silence.</summary>
        public void NobodyTold()
        {
            _awaited.Clear();
            _waitForSilence = true;
        }

        /// <summary>A distributor said it sends nothing more (handled in inbox order, after all it sent before).</summary>
        public void OnDepartureSeen(string distributorId)
        {
            if (_awaited.TryRemove(distributorId, out _))
            {
                Interlocked.Increment(ref _acknowledged);
            }
        }

        /// <summary>
        /// Waits until every live distributor said it sends nothing more (and, with an older one among
        /// them, until nothing arrived for a moment), and the pipeline is empty.
        /// </summary>
        public async Task UntilDistributorsDoneAsync()
        {
            while (!TimedOut && (Awaiting() || Volatile.Read(ref _backend._pipelinePending) > 0))
            {
                await Task.Delay(Step, TimeProvider.System).ConfigureAwait(false);
            }
        }

        private bool Awaiting()
        {
            if (_membership is not null)
            {
                foreach (var (id, run) in _awaited.Where(a => _membership.Find(a.Key)?.StartedAt != a.Value))
                {
                    // Gone (its alive key expired, or the distributor probe found its inbox without a listener),
                    // or restarted with the same id before its key could expire: the run told is gone either way.
                    _awaited.TryRemove(KeyValuePair.Create(id, run));
                }
            }

            return !_awaited.IsEmpty
                || (_waitForSilence && Stopwatch.GetElapsedTime(Volatile.Read(ref _backend._lastDelivery)) < _silence);
        }

        /// <summary>Waits until the pipeline is empty and every socket's handlers are done.</summary>
        public async Task UntilIdleAsync()
        {
            while (!TimedOut && (Volatile.Read(ref _backend._pipelinePending) > 0 || _backend._sockets.Values.Any(s => !s.IsIdle)))
            {
                await Task.Delay(Step, TimeProvider.System).ConfigureAwait(false);
            }
        }

        /// <summary>Reports how far it got and tells every distributor it knows that it is done.</summary>
        public void Finish()
        {
            var busy = _backend._sockets.Values.Count(s => !s.IsIdle);
            _backend.ReportProgress();
            var distributors = new HashSet<string>(_backend._sockets.Values.Select(s => s.DistributorId), StringComparer.Ordinal);
            if (_membership is not null)
            {
                distributors.UnionWith(_membership.Live.Where(m => m.Kind == MemberKind.Distributor).Select(m => m.Id));
            }

            var router = _backend.Router;
            foreach (var distributorId in distributors)
            {
                // On each distributor's inbox: after the acks this backend sent there, in order.
                router.Publish(router.Channels.Distributor(distributorId), new BackendDrained(_backend.Id));
            }

            BackendLog.Drained(
                _backend._logger,
                _backend.Id,
                (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds,
                busy,
                Volatile.Read(ref _acknowledged),
                _awaitedAtStart,
                _waitForSilence ? "; waited for a silence as well (a distributor that does not acknowledge departures, or the departure could not be announced)" : string.Empty);
        }
    }
}
