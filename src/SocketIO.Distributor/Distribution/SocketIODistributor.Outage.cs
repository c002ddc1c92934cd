using Microsoft.Extensions.Logging;
using SocketIO.Distributor.EngineIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Riding out a Redis outage: clients stay connected for up to <see cref="Bus.BusOptions.OutageTolerance"/>
/// (what they send meanwhile is held by the bus, bounded and counted); past it, every client
/// connection is closed with an Engine.IO close, which clients see as <c>transport close</c> and
/// reconnect from (never a Socket.IO disconnect, which they would not reconnect from).
/// </summary>
public sealed partial class SocketIODistributor
{
    private static readonly TimeSpan OutageCheckInterval = TimeSpan.FromMilliseconds(250);
    private readonly Lock _outageWatchGate = new();
    private ITimer? _outageTimer;
    private int _closedForOutage;

    /// <summary>True while every connection to Redis is up (false before start and during an outage).</summary>
    public bool IsRedisConnected => _bus?.IsConnected ?? false;

    /// <summary>
    /// The outage check runs only while an outage is under way: armed when the bus reports the connection
    /// lost, disarmed by the first check that finds it over (an idle distributor does not wake up for it).
    /// </summary>
    private void StartOutageWatch()
    {
        lock (_outageWatchGate)
        {
            _outageTimer = Time.CreateTimer(static s => ((SocketIODistributor)s!).CheckOutage(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (_bus is { } bus)
        {
            bus.ConnectionLost += ArmOutageWatch;
            if (bus.OutageDuration > TimeSpan.Zero)
            {
                ArmOutageWatch();
            }
        }
    }

    private void StopOutageWatch()
    {
        if (_bus is { } bus)
        {
            bus.ConnectionLost -= ArmOutageWatch;
        }

        lock (_outageWatchGate)
        {
            _outageTimer?.Dispose();
            _outageTimer = null;
        }
    }

    private void ArmOutageWatch()
    {
        lock (_outageWatchGate)
        {
            _outageTimer?.Change(OutageCheckInterval, OutageCheckInterval);
        }
    }

    /// <summary>
    /// Past the outage tolerance, a CONNECT is not sent into the void: the client's connection is closed
    /// (Engine.IO close), so the client retries with its reconnection backoff until Redis is back. Within
    /// the tolerance the CONNECT waits (held by the bus) for up to <see cref="DistributorOptions.BackendConnectTimeout"/>.
    /// </summary>
    internal bool RefuseConnectForOutage(EngineSession session)
    {
        if (_bus is not { } bus || bus.OutageDuration <= Options.Bus.OutageTolerance)
        {
            return false;
        }

        session.Close("transport close");
        return true;
    }

    private void CheckOutage()
    {
        if (_bus is not { } bus)
        {
            return;
        }

        var outage = bus.OutageDuration;
        if (outage == TimeSpan.Zero)
        {
            Interlocked.Exchange(ref _closedForOutage, 0);
            lock (_outageWatchGate)
            {
                // The bus marks the outage started before it raises ConnectionLost: a new outage that
                // began after the read above is seen here, or its ConnectionLost arms the timer again.
                if (bus.OutageDuration == TimeSpan.Zero)
                {
                    _outageTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }

            return;
        }

        if (outage > Options.Bus.OutageTolerance && Interlocked.Exchange(ref _closedForOutage, 1) == 0)
        {
            var sessions = Server.Engine.SessionCount;
            Log.OutageTooLong(Logger, outage.TotalSeconds, Options.Bus.OutageTolerance.TotalSeconds, sessions);
            Server.Engine.CloseAll("transport close");
        }
    }
}
