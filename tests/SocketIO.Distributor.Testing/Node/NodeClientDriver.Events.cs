using System.Text.Json;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>The events the driver's sockets received, and waiting for them.</summary>
public sealed partial class NodeClientDriver
{
    private const int EventsInTimeoutMessage = 30;

    private readonly Lock _eventsLock = new();
    private readonly List<DriverEvent> _events = [];
    private readonly HashSet<long> _taken = [];
    private readonly List<EventWaiter> _waiters = [];
    private Exception? _gone;

    /// <summary>Everything received so far, in order (a snapshot).</summary>
    public IReadOnlyList<DriverEvent> Events
    {
        get
        {
            lock (_eventsLock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>How many times socket <paramref name="name"/> received <paramref name="ev"/> so far.</summary>
    public int Count(string name, string ev)
    {
        lock (_eventsLock)
        {
            return _events.Count(e => e.Name == name && e.Event == ev);
        }
    }

    /// <summary>
    /// The first <paramref name="ev"/> received by socket <paramref name="name"/> (and accepted by
    /// <paramref name="match"/>) that no earlier wait returned: already received, or the next to come.
    /// Each event is returned by one wait at most, so waiting twice waits for two events.
    /// </summary>
    /// <exception cref="Xunit.Sdk.XunitException">Nothing matched in time (default <see cref="Eventually.DefaultTimeout"/>).</exception>
    public async Task<DriverEvent> WaitForEventAsync(string name, string ev, Func<DriverEvent, bool>? match = null, TimeSpan? timeout = null)
    {
        var waiter = new EventWaiter(e => e.Name == name && e.Event == ev && (match is null || match(e)));
        lock (_eventsLock)
        {
            foreach (var received in _events)
            {
                if (!_taken.Contains(received.Sequence) && waiter.Matches(received))
                {
                    _taken.Add(received.Sequence);
                    return received;
                }
            }

            if (_gone is not null)
            {
                throw new InvalidOperationException($"Waiting for \"{ev}\" on socket '{name}', but the driver has exited.", _gone);
            }

            _waiters.Add(waiter);
        }

        var limit = timeout ?? Eventually.DefaultTimeout;
        try
        {
            return await waiter.Received.Task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            lock (_eventsLock)
            {
                _waiters.Remove(waiter);
            }

            throw new Xunit.Sdk.XunitException(
                $"Timed out after {limit} waiting for \"{ev}\" on socket '{name}' ({Version}). Last events:\n{RecentEvents()}\n{SocketHistory(name)}");
        }
    }

    /// <summary>Waits for socket <paramref name="name"/> to be disconnected; <see cref="DriverEvent.Reason"/> says why.</summary>
    public Task<DriverEvent> WaitForDisconnectAsync(string name, TimeSpan? timeout = null) =>
        WaitForEventAsync(name, "$disconnect", timeout: timeout);

    private void Record(JsonElement line)
    {
        lock (_eventsLock)
        {
            var received = new DriverEvent(_events.Count, line);
            _events.Add(received);
            var waiter = _waiters.Find(w => w.Matches(received));
            if (waiter is not null)
            {
                _waiters.Remove(waiter);
                _taken.Add(received.Sequence);
                waiter.Received.TrySetResult(received);
            }
        }
    }

    private void FailWaiters(Exception gone)
    {
        lock (_eventsLock)
        {
            _gone = gone;
            foreach (var waiter in _waiters)
            {
                waiter.Received.TrySetException(gone);
            }

            _waiters.Clear();
        }
    }

    private string RecentEvents()
    {
        lock (_eventsLock)
        {
            var recent = _events.Skip(Math.Max(0, _events.Count - EventsInTimeoutMessage)).Select(Numbered);
            return _events.Count == 0 ? "  (none)" : string.Join('\n', recent);
        }
    }

    /// <summary>Socket <paramref name="name"/>'s own story: its connects and disconnects and its last events, numbered in the order all arrived.</summary>
    private string SocketHistory(string name)
    {
        lock (_eventsLock)
        {
            var own = _events.Where(e => e.Name == name).ToList();
            var lifecycle = own.Where(e => e.Event.StartsWith('$')).Select(Numbered);
            var last = own.Where(e => !e.Event.StartsWith('$')).TakeLast(EventsInTimeoutMessage / 3).Select(Numbered);
            return $"Socket '{name}' ({own.Count} events of {_events.Count}): its connects and disconnects:\n{string.Join('\n', lifecycle)}\nits last events:\n{string.Join('\n', last)}";
        }
    }

    /// <summary>An event as a line of a timeout message, with its number in the order all events arrived.</summary>
    private static string Numbered(DriverEvent e) => $"  #{e.Sequence} {e}";

    private sealed class EventWaiter(Func<DriverEvent, bool> matches)
    {
        public TaskCompletionSource<DriverEvent> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Matches(DriverEvent received) => matches(received);
    }
}
