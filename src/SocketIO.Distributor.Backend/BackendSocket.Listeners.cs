using System.Collections.Immutable;

namespace SocketIO.Distributor.Backend;

/// <summary>socket.io's listener API on a socket: <c>once</c>, <c>off</c>, <c>offAny</c>, <c>prependAny</c>, the outgoing listeners and <c>disconnecting</c>.</summary>
public sealed partial class BackendSocket
{
    private ImmutableArray<Action<string, object?[]>> _outgoingHandlers = [];
    private ImmutableArray<Action<string>> _disconnectingHandlers = [];

    /// <summary>Handles the next occurrence of an event only, then removes itself (socket.io's <c>once</c>).</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket Once(string ev, Action<SocketEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(
            ev,
            handler,
            e =>
            {
                handler(e);
                return Task.CompletedTask;
            },
            once: true);
    }

    /// <summary>Handles the next occurrence of an event only, asynchronously.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket Once(string ev, Func<SocketEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(ev, handler, handler, once: true);
    }

    /// <summary>
    /// Removes a handler of <paramref name="ev"/> added with <c>On</c>, <c>OnAsync</c> or <c>Once</c> (the same
    /// delegate instance), or every handler of the event when <paramref name="handler"/> is null (socket.io's <c>off</c>).
    /// </summary>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler to remove; null for all of the event's handlers.</param>
    /// <returns>This socket.</returns>
    public BackendSocket Off(string ev, Delegate? handler = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ev);
        ImmutableInterlocked.Update(ref _handlers, map =>
        {
            if (!TryGetHandlers(map, ev, out var list))
            {
                return map;
            }

            if (handler is null)
            {
                return WithHandlers(map, ev, []);
            }

            var index = -1;
            for (var i = 0; i < list.Length && index < 0; i++)
            {
                index = list[i].Key.Equals(handler) ? i : -1;
            }

            if (index < 0)
            {
                return map;
            }

            return WithHandlers(map, ev, list.RemoveAt(index));
        });
        return this;
    }

    /// <summary>Adds a listener of every event that runs before the others (socket.io's <c>prependAny</c>).</summary>
    /// <param name="handler">The listener.</param>
    /// <returns>This socket.</returns>
    public BackendSocket PrependAny(Action<SocketEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _anyHandlers, list => list.Insert(0, handler));
        return this;
    }

    /// <summary>Removes a listener added with <see cref="OnAny"/> or <see cref="PrependAny"/>, or all of them when null (socket.io's <c>offAny</c>).</summary>
    /// <param name="handler">The listener; null for all.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OffAny(Action<SocketEvent>? handler = null)
    {
        ImmutableInterlocked.Update(ref _anyHandlers, list => handler is null ? [] : list.Remove(handler));
        return this;
    }

    /// <summary>
    /// Sees every event emitted to this socket through it (<see cref="Emit"/>, <see cref="Volatile"/>,
    /// <see cref="Timeout(TimeSpan)"/>, <see cref="EmitWithAckAsync"/>) with its name and arguments, before
    /// it is sent (socket.io's <c>onAnyOutgoing</c>). Broadcasts are filtered by the distributors and not
    /// seen here, nor are acknowledgements.
    /// </summary>
    /// <param name="handler">The listener: event name and arguments.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OnAnyOutgoing(Action<string, object?[]> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _outgoingHandlers, list => list.Add(handler));
        return this;
    }

    /// <summary>Like <see cref="OnAnyOutgoing"/>, before the listeners already added (socket.io's <c>prependAnyOutgoing</c>).</summary>
    /// <param name="handler">The listener.</param>
    /// <returns>This socket.</returns>
    public BackendSocket PrependAnyOutgoing(Action<string, object?[]> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _outgoingHandlers, list => list.Insert(0, handler));
        return this;
    }

    /// <summary>Removes an outgoing listener, or all when null (socket.io's <c>offAnyOutgoing</c>).</summary>
    /// <param name="handler">The listener; null for all.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OffAnyOutgoing(Action<string, object?[]>? handler = null)
    {
        ImmutableInterlocked.Update(ref _outgoingHandlers, list => handler is null ? [] : list.Remove(handler));
        return this;
    }

    /// <summary>
    /// Runs when the socket is leaving, before the <see cref="OnDisconnect"/> handlers, while <see cref="Rooms"/>
    /// still lists its rooms (socket.io's <c>disconnecting</c> event).
    /// </summary>
    /// <param name="handler">The handler, with the reason.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OnDisconnecting(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _disconnectingHandlers, list => list.Add(handler));
        return this;
    }

    /// <summary>True if the socket is in any of <paramref name="rooms"/> as far as this backend knows (its id counts).</summary>
    internal bool IsInAnyRoom(string[] rooms)
    {
        lock (_rooms)
        {
            foreach (var room in rooms)
            {
                if (_rooms.Contains(room))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The distributor reports a join or leave that another backend or a remote query made.</summary>
    internal void ApplyRoomsChanged(bool joined, IReadOnlyCollection<string> rooms)
    {
        lock (_rooms)
        {
            foreach (var room in rooms)
            {
                if (joined)
                {
                    _rooms.Add(room);
                }
                else if (room != Id)
                {
                    _rooms.Remove(room);
                }
            }
        }
    }

    /// <summary>Tells the outgoing listeners about an emit.</summary>
    internal void NotifyOutgoing(string ev, object?[]? args)
    {
        var listeners = _outgoingHandlers;
        if (listeners.IsEmpty)
        {
            return;
        }

        var arguments = args ?? [];
        foreach (var listener in listeners)
        {
            try
            {
                listener(ev, arguments);
            }
            catch (Exception ex)
            {
                OnHandlerFailed(ex, ev);
            }
        }
    }

    private void RunDisconnecting(string reason)
    {
        foreach (var handler in _disconnectingHandlers)
        {
            try
            {
                handler(reason);
            }
            catch (Exception ex)
            {
                BackendMetrics.HandlerErrors.Add(1);
                BackendLog.DisconnectHandlerFailed(_backend.Logger, ex, Id);
            }
        }
    }

    private BackendSocket AddHandler(string ev, Delegate key, Func<SocketEvent, Task> run, bool once = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(ev);
        var entry = new EventHandlerEntry(key, run, once);
        ImmutableInterlocked.Update(ref _handlers, map => WithHandlers(map, ev, TryGetHandlers(map, ev, out var list) ? list.Add(entry) : [entry]));
        return this;
    }

    /// <summary>Removes one entry; false if it was not there any more (a once handler claims its run this way).</summary>
    private bool RemoveHandler(string ev, EventHandlerEntry entry)
    {
        var removed = false;
        ImmutableInterlocked.Update(ref _handlers, map =>
        {
            removed = false;
            if (!TryGetHandlers(map, ev, out var list) || list.IndexOf(entry) is var index && index < 0)
            {
                return map;
            }

            removed = true;
            return WithHandlers(map, ev, list.RemoveAt(index));
        });
        return removed;
    }

    /// <summary>A handler as added: the user's delegate (to find it for <see cref="Off"/>) and how to run it.</summary>
    private sealed class EventHandlerEntry(Delegate key, Func<SocketEvent, Task> run, bool once)
    {
        public Delegate Key { get; } = key;

        public Func<SocketEvent, Task> Run { get; } = run;

        public bool Once { get; } = once;
    }
}
