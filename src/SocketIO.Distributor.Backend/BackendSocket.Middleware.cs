using System.Collections.Immutable;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>Per-packet middleware (socket.io's <c>socket.use</c>), the <c>error</c> listeners, and the <c>Timeout</c> and <c>Compress</c> modifiers.</summary>
public sealed partial class BackendSocket
{
    private ImmutableArray<Func<SocketEvent, Func<Task>, Task>> _packetMiddleware = [];
    private ImmutableArray<Action<Exception>> _errorHandlers = [];

    /// <summary>
    /// Adds a middleware run for every event from the client, after the <see cref="OnAny"/> listeners and
    /// before the event's handlers, in the order added (socket.io's <c>socket.use</c>). Call <c>next</c> to go
    /// on; not calling it drops the event. Throwing is socket.io's <c>next(err)</c>: the event is not handled,
    /// the <see cref="OnError"/> listeners receive the exception, and, when the client waits for an ack, it
    /// gets an error ack <c>{message, code?, data?}</c> (a <see cref="SocketIOException"/>'s own; any other
    /// exception is logged and answered <c>"Internal server error"</c>). socket.io leaves that ack unanswered
    /// until the client's timeout; answering it is this product's rule that nothing is lost in silence.
    /// </summary>
    /// <param name="middleware">The middleware: the event and <c>next</c>.</param>
    /// <returns>This socket.</returns>
    public BackendSocket Use(Func<SocketEvent, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        ImmutableInterlocked.Update(ref _packetMiddleware, list => list.Add(middleware));
        return this;
    }

    /// <summary>Receives the errors of the per-packet middleware (socket.io's server-side <c>error</c> event).</summary>
    /// <param name="handler">The listener.</param>
    /// <returns>This socket.</returns>
    public BackendSocket OnError(Action<Exception> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _errorHandlers, list => list.Add(handler));
        return this;
    }

    /// <summary>Emits to this socket waiting at most <paramref name="timeout"/> for acknowledgements (socket.io's <c>socket.timeout(ms)</c>).</summary>
    /// <param name="timeout">How long <see cref="SocketTimeoutEmitter.EmitWithAckAsync"/> waits.</param>
    /// <returns>An emitter.</returns>
    public SocketTimeoutEmitter Timeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return new SocketTimeoutEmitter(this, timeout, EmitFlags.None);
    }

    /// <summary>Same as <see cref="Timeout(TimeSpan)"/>, in milliseconds.</summary>
    /// <param name="milliseconds">How long to wait.</param>
    /// <returns>An emitter.</returns>
    public SocketTimeoutEmitter Timeout(int milliseconds) => Timeout(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>
    /// Emits with socket.io's <c>compress</c> flag. The flag travels with the emit; the distributor's transports
    /// do not negotiate permessage-deflate today, so the frames are written as they are.
    /// </summary>
    /// <param name="compress">True to ask for compression.</param>
    /// <returns>An emitter.</returns>
    public SocketEmitter Compress(bool compress) => new(this, compress ? EmitFlags.Compress : EmitFlags.None);

    private async Task RunPacketMiddlewareAsync(SocketEvent e, ImmutableArray<Func<SocketEvent, Func<Task>, Task>> chain)
    {
        var reachedEnd = false;

        Task Next(int index)
        {
            if (index == chain.Length)
            {
                reachedEnd = true;
                return Task.CompletedTask;
            }

            return chain[index](e, () => Next(index + 1));
        }

        try
        {
            await Next(0).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnPacketRefused(e, ex);
            return;
        }

        if (reachedEnd && Connected)
        {
            RunHandlers(e);
        }
    }

    private void OnPacketRefused(SocketEvent e, Exception ex)
    {
        if (ex is SocketIOException refusal)
        {
            BackendLog.EventHandlerRefused(_backend.Logger, e.Name, Id, refusal.Message);
            e.AckError(refusal);
        }
        else
        {
            OnHandlerFailed(ex, e.Name);
            e.AckError("Internal server error");
        }

        foreach (var handler in _errorHandlers)
        {
            try
            {
                handler(ex);
            }
            catch (Exception failure)
            {
                OnHandlerFailed(failure, "error");
            }
        }
    }
}

/// <summary>Emits to one socket with a timeout for its acknowledgement (socket.io's <c>socket.timeout(ms)</c>).</summary>
public sealed class SocketTimeoutEmitter
{
    private readonly BackendSocket _socket;
    private readonly EmitFlags _flags;

    internal SocketTimeoutEmitter(BackendSocket socket, TimeSpan timeout, EmitFlags flags)
    {
        _socket = socket;
        Timeout = timeout;
        _flags = flags;
    }

    /// <summary>How long an acknowledgement is awaited.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Emits an event and waits for the client's acknowledgement (socket.io's <c>socket.timeout(ms).emitWithAck</c>).</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The client's answer.</returns>
    /// <exception cref="TimeoutException">The client did not answer within <see cref="Timeout"/>.</exception>
    public Task<SocketArguments> EmitWithAckAsync(string ev, params object?[] args) => _socket.EmitWithAckAsync(ev, args, Timeout);

    /// <summary>Emits an event without waiting (the timeout has no effect then).</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    public void Emit(string ev, params object?[] args) => _socket.Send(ev, args, _flags);
}
