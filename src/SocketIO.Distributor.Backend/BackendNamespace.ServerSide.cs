using System.Collections.Immutable;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>Events between the backends (replicas) serving this namespace (socket.io's <c>serverSideEmit</c>).</summary>
public sealed partial class BackendNamespace
{
    private ImmutableDictionary<string, ImmutableArray<Func<ServerSideEvent, Task>>> _serverSideHandlers =
        ImmutableDictionary<string, ImmutableArray<Func<ServerSideEvent, Task>>>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Sends an event to every other live backend serving this namespace (not to this one, as in socket.io).
    /// Each receives it in its <see cref="OnServerSideEmit(string, Action{ServerSideEvent})"/> handlers.
    /// </summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments, serialized with <see cref="BackendOptions.Json"/>.</param>
    public void ServerSideEmit(string ev, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(ev);
        Backend.Router.ServerSideEmit(Name, ev, Backend.Codec.EncodeArguments(args).Json, OtherBackends());
    }

    /// <summary>
    /// Sends an event to every other live backend serving this namespace and waits for one answer from
    /// each (socket.io's <c>serverSideEmitWithAck</c>); completes at once when there is no other backend.
    /// </summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="timeout">How long to wait; <see cref="BackendOptions.AckTimeout"/> by default.</param>
    /// <returns>Each other backend's answer.</returns>
    /// <exception cref="ServerSideAckTimeoutException">A backend did not answer in time; the answers that came are on the exception.</exception>
    public Task<IReadOnlyList<ServerSideAnswer>> ServerSideEmitWithAckAsync(string ev, object?[] args, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ev);
        var wait = timeout ?? Backend.Options.AckTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        return Backend.Router.ServerSideEmitWithAckAsync(Name, ev, Backend.Codec.EncodeArguments(args).Json, OtherBackends(), wait);
    }

    /// <summary>Handles an event another backend of this namespace sent with <see cref="ServerSideEmit"/>.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler; <see cref="ServerSideEvent.Ack"/> answers a sender that waits.</param>
    /// <returns>This namespace.</returns>
    public BackendNamespace OnServerSideEmit(string ev, Action<ServerSideEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnServerSideEmit(ev, e =>
        {
            handler(e);
            return Task.CompletedTask;
        });
    }

    /// <summary>Handles an event another backend of this namespace sent, asynchronously.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This namespace.</returns>
    public BackendNamespace OnServerSideEmit(string ev, Func<ServerSideEvent, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(ev);
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.AddOrUpdate(ref _serverSideHandlers, ev, [handler], (_, list) => list.Add(handler));
        return this;
    }

    /// <summary>Runs the handlers of a server-side event (on the backend's custom-message queue).</summary>
    internal async Task OnServerSideEmitAsync(ServerSideEmit message)
    {
        if (!_serverSideHandlers.TryGetValue(message.Event, out var handlers))
        {
            return;
        }

        var backend = Backend;
        Action<object?[]?>? reply = message.RequestId == 0 ? null : args =>
        {
            var json = backend.Codec.EncodeArguments(args).Json;
            backend.Router.Publish(message.ReplyChannel, new ServerSideReply(message.RequestId, backend.Id, json));
        };
        var e = new ServerSideEvent(message.Event, message.OriginId, new SocketArguments(message.ArgumentsJson, [], backend.Codec), reply);
        foreach (var handler in handlers)
        {
            try
            {
                await handler(e).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                BackendMetrics.HandlerErrors.Add(1);
                BackendLog.EventHandlerFailed(backend.Logger, ex, message.Event, "server-side:" + message.OriginId);
            }
        }
    }

    private List<string> OtherBackends()
    {
        var others = new List<string>();
        foreach (var member in Backend.Membership.BackendsOf(Name))
        {
            if (member.Id != Backend.Id)
            {
                others.Add(member.Id);
            }
        }

        return others;
    }
}
