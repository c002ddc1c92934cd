using System.Collections.Immutable;
using System.Text.Json;

namespace SocketIO.Distributor.Backend;

/// <summary>Event and disconnect handlers, and how events reach them.</summary>
public sealed partial class BackendSocket
{
    private ImmutableArray<Action<SocketEvent>> _anyHandlers = [];
    private ImmutableArray<Action<string>> _disconnectHandlers = [];

    /// <summary>Handles an event.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler; <see cref="SocketEvent.Ack"/> answers the client's callback.</param>
    /// <returns>This socket.</returns>
    public BackendSocket On(string ev, Action<SocketEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(ev, handler, e =>
        {
            handler(e);
            return Task.CompletedTask;
        });
    }

    /// <summary>Handles an event asynchronously. Handlers start in the order events arrive; awaiting does not hold up the next event.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket On(string ev, Func<SocketEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(ev, handler, handler);
    }

    /// <summary>Handles an event, reading its first argument as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type of the first argument.</typeparam>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket On<T>(string ev, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(ev, handler, e =>
        {
            if (TryBind<T>(e, out var value))
            {
                handler(value);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Handles an event asynchronously, reading its first argument as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type of the first argument.</typeparam>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket On<T>(string ev, Func<T, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(ev, handler, e => TryBind<T>(e, out var value) ? handler(value) : Task.CompletedTask);
    }

    /// <summary>
    /// Handles an event whose client expects an answer: the result is acknowledged as
    /// <c>(null, result)</c>. A <see cref="SocketHandlerException"/> is acknowledged as its message
    /// (the first argument); any other exception is logged and acknowledged as <c>"Internal server error"</c>.
    /// </summary>
    /// <typeparam name="T">The type of the first argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OnAsync<T, TResult>(string ev, Func<T, Task<TResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(ev, handler, async e =>
        {
            if (!TryBind<T>(e, out var value))
            {
                e.Ack("Invalid arguments");
                return;
            }

            try
            {
                var result = await handler(value).ConfigureAwait(false);
                e.Ack(null, result);
            }
            catch (SocketHandlerException ex)
            {
                BackendLog.EventHandlerRefused(_backend.Logger, e.Name, Id, ex.Message);
                e.Ack(ex.Message);
            }
            catch (SocketIOException ex)
            {
                BackendLog.EventHandlerRefused(_backend.Logger, e.Name, Id, ex.Message);
                e.AckError(ex);
            }
            catch (Exception ex)
            {
                BackendMetrics.HandlerErrors.Add(1);
                BackendLog.EventHandlerFailed(_backend.Logger, ex, e.Name, Id);
                e.Ack("Internal server error");
            }
        });
    }

    /// <summary>Sees every event before its own handlers (socket.io's <c>onAny</c>).</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OnAny(Action<SocketEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _anyHandlers, list => list.Add(handler));
        return this;
    }

    /// <summary>Runs once when the socket leaves, with the reason in socket.io's words (<c>"transport close"</c>, <c>"client namespace disconnect"</c>, ...).</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OnDisconnect(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _disconnectHandlers, list => list.Add(handler));
        return this;
    }

    /// <summary>Runs the handlers of one event, on the socket's queue.</summary>
    private int _inFlight;

    private Task DispatchAsync(SocketEvent e)
    {
        if (!Connected)
        {
            return Task.CompletedTask;
        }

        foreach (var handler in _anyHandlers)
        {
            try
            {
                handler(e);
            }
            catch (Exception ex)
            {
                BackendMetrics.HandlerErrors.Add(1);
                BackendLog.EventHandlerFailed(_backend.Logger, ex, e.Name, Id);
            }
        }

        var middleware = _packetMiddleware;
        if (middleware.Length == 0)
        {
            RunHandlers(e);
            return Task.CompletedTask;
        }

        // Per-packet middleware (socket.use) runs after the onAny listeners, as in socket.io; like an async
        // handler it does not hold up the socket's queue while it awaits.
        var running = RunPacketMiddlewareAsync(e, middleware);
        if (!running.IsCompletedSuccessfully)
        {
            Interlocked.Increment(ref _inFlight);
            _ = ObserveAsync(running, e.Name);
        }

        return Task.CompletedTask;
    }

    /// <summary>Starts the handlers of one event, in the order they were added.</summary>
    private void RunHandlers(SocketEvent e)
    {
        if (!TryGetHandlers(System.Threading.Volatile.Read(ref _handlers), e.Name, out var handlers))
        {
            return;
        }

        if (System.Threading.Volatile.Read(ref _inFlight) >= MaxQueuedEvents)
        {
            // Handlers that never finish must not pile up without bound.
            BackendMetrics.EventsDropped.Add(1);
            _backend.Statistics.OnEventRefused();
            e.Ack(SocketBusy.ToJson());
            BackendLog.QueueFull(_backend.Logger, Id, MaxQueuedEvents);
            Disconnect();
            return;
        }

        // Handlers start in the order events arrive, but an async handler does not hold up the next
        // event (as in socket.io): a handler awaiting this socket's ack must not block that ack's path.
        foreach (var handler in handlers)
        {
            if (handler.Once && !RemoveHandler(e.Name, handler))
            {
                continue; // a once handler that already ran (or was removed meanwhile)
            }

            Task running;
            try
            {
                running = handler.Run(e);
            }
            catch (Exception ex)
            {
                OnHandlerFailed(ex, e.Name);
                continue;
            }

            if (!running.IsCompletedSuccessfully)
            {
                Interlocked.Increment(ref _inFlight);
                _ = ObserveAsync(running, e.Name);
            }
        }
    }

    private async Task ObserveAsync(Task running, string eventName)
    {
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnHandlerFailed(ex, eventName);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void OnHandlerFailed(Exception ex, string eventName)
    {
        BackendMetrics.HandlerErrors.Add(1);
        BackendLog.EventHandlerFailed(_backend.Logger, ex, eventName, Id);
    }

    private Task OnDisconnected(string reason)
    {
        var previous = Interlocked.Exchange(ref _state, Closed);
        if (previous == Closed)
        {
            return Task.CompletedTask;
        }

        _backend.ForgetSocket(this);
        Namespace.Remove(this);
        Acks.Close(new InvalidOperationException($"Socket {Id} disconnected ({reason}) before acknowledging."));
        if (previous == Open)
        {
            BackendMetrics.Sockets.Add(-1);
            BackendLog.SocketDisconnected(_backend.Logger, Id, Namespace.Name, reason);
            RunDisconnecting(reason);
            foreach (var handler in _disconnectHandlers)
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

        SetDisconnected();
        return Task.CompletedTask;
    }

    private bool TryBind<T>(SocketEvent e, out T value)
    {
        try
        {
            value = e.Arguments.Get<T>(0)!;
            return true;
        }
        catch (JsonException ex)
        {
            BackendMetrics.HandlerErrors.Add(1);
            BackendLog.BadArguments(_backend.Logger, ex, e.Name, Id);
            value = default!;
            return false;
        }
    }
}
