namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// The system clock, except that the first periodic timer of period <paramref name="heartbeat"/> (a
/// member's heartbeat loop) ticks only when the test calls <see cref="Tick"/>: a backend whose view
/// of the cluster is refreshed exactly when the test says.
/// </summary>
internal sealed class HeldHeartbeatTime(TimeSpan heartbeat) : TimeProvider
{
    private readonly TaskCompletionSource<ManualTimer> _heartbeat = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period == heartbeat && dueTime == heartbeat)
        {
            var timer = new ManualTimer(callback, state);
            if (_heartbeat.TrySetResult(timer))
            {
                return timer;
            }
        }

        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Makes the heartbeat loop run once.</summary>
    public void Tick()
    {
        Assert.True(_heartbeat.Task.IsCompleted, "no heartbeat timer was created");
        _heartbeat.Task.Result.Fire();
    }

    private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
    {
        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
