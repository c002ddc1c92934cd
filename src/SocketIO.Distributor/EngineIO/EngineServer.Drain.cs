using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// Draining before a stop (rolling deploys): new handshakes are refused with HTTP 503, and the open
/// sessions are closed a few at a time over a window, each with an Engine.IO transport close, which
/// socket.io clients reconnect from (to another server, since this one refuses them).
/// </summary>
public sealed partial class EngineServer
{
    /// <summary>At most this many rounds of closes over a window; each round closes an equal share.</summary>
    private const int MaxDrainRounds = 100;

    private readonly object _drainGate = new();
    private volatile bool _draining;
    private volatile string? _drainReason;
    private Task? _drain;

    /// <summary>True once draining started: new sessions are refused with HTTP 503.</summary>
    public bool IsDraining => _draining;

    /// <summary>
    /// How long the drain that starts when the host stops (<c>IHostApplicationLifetime.ApplicationStopping</c>)
    /// spreads its closes over. Zero (the default): every session is closed at once.
    /// </summary>
    public TimeSpan ShutdownDrainWindow { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Refuses new handshakes from now on (HTTP 503 with a JSON reason) and closes the open sessions
    /// spread evenly over <paramref name="window"/>, each with a transport close ("server draining").
    /// Calling it again returns the drain already under way.
    /// </summary>
    /// <param name="window">How long to spread the closes over; zero closes every session at once.</param>
    /// <returns>A task that completes when every session that was open has been closed.</returns>
    public Task DrainAsync(TimeSpan window) => Drain(window, "server draining");

    /// <summary>The host is stopping: drain over <see cref="ShutdownDrainWindow"/> (a drain already under way goes on).</summary>
    internal void OnHostStopping() => _ = ObserveAsync(Drain(ShutdownDrainWindow, "server shutting down"));

    private Task Drain(TimeSpan window, string reason)
    {
        lock (_drainGate)
        {
            _draining = true;
            return _drain ??= DrainCoreAsync(window < TimeSpan.Zero ? TimeSpan.Zero : window, reason);
        }
    }

    private async Task DrainCoreAsync(TimeSpan window, string reason)
    {
        // Yield so the caller (a host's stopping callback) is not held up by the first round.
        await Task.Yield();

        // Set before the snapshot: a session registered after it (its handshake admitted just before the
        // drain began) sees the reason in Open and is closed there.
        _drainReason = reason;
        var sessions = _sessions.All.ToList();
        DrainLog.Draining(_logger, sessions.Count, window);
        var rounds = window > TimeSpan.Zero ? Math.Min(sessions.Count, MaxDrainRounds) : 1;
        var pause = rounds > 1 ? window / rounds : TimeSpan.Zero;
        var closed = 0;
        for (var round = 0; round < rounds; round++)
        {
            if (round > 0)
            {
                await Task.Delay(pause, _time);
            }

            var until = sessions.Count * (round + 1) / rounds;
            for (; closed < until; closed++)
            {
                sessions[closed].Close(reason);
            }
        }

        DrainLog.Drained(_logger, closed);
    }

    private async Task ObserveAsync(Task drain)
    {
        try
        {
            await drain;
        }
        catch (Exception e)
        {
            DrainLog.DrainFailed(_logger, e);
        }
    }

    private static partial class DrainLog
    {
        [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Draining: refusing new sessions and closing {Count} session(s) over {Window}")]
        public static partial void Draining(ILogger logger, int count, TimeSpan window);

        [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Drained: {Count} session(s) closed")]
        public static partial void Drained(ILogger logger, int count);

        [LoggerMessage(EventId = 1022, Level = LogLevel.Error, Message = "Draining failed")]
        public static partial void DrainFailed(ILogger logger, Exception exception);
    }
}
