using System.Diagnostics;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>A graceful stop: the sockets move to another replica while this one finishes what it received.</summary>
public sealed partial class SocketIOBackend
{
    /// <summary>
    /// One drain, bounded by <see cref="BackendOptions.DrainTimeout"/>. Measured on the system clock
    /// (not <see cref="Time"/>): a test's manual clock must not hold up a shutdown.
    /// </summary>
    private sealed class Drain
    {
        private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
        private readonly SocketIOBackend _backend;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly TimeSpan _quiet;

        private Drain(SocketIOBackend backend)
        {
            _backend = backend;

            // Distributors stop sending once they read the departure: a short silence says they all did.
            _quiet = TimeSpan.FromTicks(Math.Min(backend.Options.Bus.HeartbeatInterval.Ticks, TimeSpan.FromMilliseconds(250).Ticks));
            BackendLog.Draining(backend._logger, backend.Id, backend.Options.DrainTimeout);
        }

        private bool TimedOut => Stopwatch.GetElapsedTime(_started) >= _backend.Options.DrainTimeout;

        /// <summary>Starts a drain, or returns null when there is nothing to drain (no sockets, or no drain configured).</summary>
        public static Drain? Start(SocketIOBackend backend) =>
            backend.Options.DrainTimeout > TimeSpan.Zero && !backend._sockets.IsEmpty ? new Drain(backend) : null;

        /// <summary>Waits until nothing arrived for a moment (distributors moved every socket) and the pipeline is empty.</summary>
        public async Task UntilQuietAsync()
        {
            while (!TimedOut
                && (Stopwatch.GetElapsedTime(Volatile.Read(ref _backend._lastDelivery)) < _quiet || Volatile.Read(ref _backend._pipelinePending) > 0))
            {
                await Task.Delay(Step, TimeProvider.System).ConfigureAwait(false);
            }
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
        public void Finish(ClusterMembership? membership)
        {
            var busy = _backend._sockets.Values.Count(s => !s.IsIdle);
            _backend.ReportProgress();
            var distributors = new HashSet<string>(_backend._sockets.Values.Select(s => s.DistributorId), StringComparer.Ordinal);
            if (membership is not null)
            {
                distributors.UnionWith(membership.Live.Where(m => m.Kind == MemberKind.Distributor).Select(m => m.Id));
            }

            var router = _backend.Router;
            foreach (var distributorId in distributors)
            {
                // On each distributor's inbox: after the acks this backend sent there, in order.
                router.Publish(router.Channels.Distributor(distributorId), new BackendDrained(_backend.Id));
            }

            BackendLog.Drained(_backend._logger, _backend.Id, (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds, busy);
        }
    }
}
