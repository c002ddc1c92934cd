using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// The backend's one seam to the bus: sends frames to a socket's distributor, broadcasts to a
/// namespace or rooms, sends commands (awaiting their <see cref="CommandAck"/> when asked), and
/// runs remote queries across the distributors of a namespace.
/// </summary>
internal sealed partial class BackendRouter
{
    private readonly RedisBus _bus;
    private readonly ChannelSequencer _sequencer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _commands = new();
    private readonly ConcurrentDictionary<ulong, RemoteQueryCollector> _queries = new();
    private long _lastRequestId;
    private long _lastSequence;

    public BackendRouter(RedisBus bus, string backendId, TimeProvider time, ILogger logger, Func<string, bool?>? readsBatches = null)
    {
        _bus = bus;
        _sequencer = new ChannelSequencer(bus, readsBatches: readsBatches);
        _time = time;
        _logger = logger;
        BackendId = backendId;
        Inbox = bus.Channels.Backend(backendId);
    }

    /// <summary>This backend's id (the origin of its broadcasts).</summary>
    public string BackendId { get; }

    /// <summary>This backend's inbox, where replies come back.</summary>
    public string Inbox { get; }

    /// <summary>The channel names.</summary>
    public BusChannels Channels => _bus.Channels;

    /// <summary>Publishes a message on a channel (fire-and-forget, in order, also with the numbered messages on it).</summary>
    public void Publish(string channel, IBusMessage message) => _sequencer.PublishUnnumbered(channel, message.Encode());

    /// <summary>The batches this backend published (several messages in one pub/sub message) and the messages they carried.</summary>
    public (long Batches, long Messages) Batching => (_sequencer.BatchesPublished, _sequencer.MessagesBatched);

    /// <summary>Sends frames to one socket through the distributor that holds it.</summary>
    /// <param name="distributorId">The distributor holding the socket.</param>
    /// <param name="socketId">The socket.</param>
    /// <param name="flags">Emit flags.</param>
    /// <param name="frames">The frames.</param>
    /// <param name="answersAck">The client's ack id + 1 when the frames answer that client event; 0 otherwise.</param>
    public void SendToSocket(string distributorId, string socketId, EmitFlags flags, EngineFrame[] frames, ulong answersAck = 0)
    {
        _sequencer.Publish(Channels.Distributor(distributorId), sequence => new SendToSocket(socketId, flags, frames, BackendId, sequence, answersAck).Encode());
        BackendMetrics.EmitsOut.Add(1);
    }

    /// <summary>
    /// Broadcasts frames: on the namespace channel when <paramref name="rooms"/> is empty, else the
    /// same message once on each room's channel (distributors deliver it once by origin and sequence).
    /// </summary>
    /// <param name="nsp">The namespace.</param>
    /// <param name="rooms">The targeted rooms (socket ids included); empty for the whole namespace.</param>
    /// <param name="except">The excluded rooms.</param>
    /// <param name="flags">Emit flags.</param>
    /// <param name="frames">The frames.</param>
    /// <param name="socketTargets">
    /// Which of <paramref name="rooms"/> are socket ids, each with its distributor: those get the broadcast on
    /// that distributor's inbox (once per distributor) instead of on a room channel nobody subscribes to.
    /// </param>
    /// <param name="unconfirmedSocketTargets">
    /// Which of the other rooms may be socket ids of a distributor not known here yet: those get the
    /// broadcast on their room's channel and on that distributor's inbox (delivered once by origin and sequence).
    /// </param>
    public void Broadcast(string nsp, IReadOnlyCollection<string> rooms, IReadOnlyCollection<string> except, EmitFlags flags, EngineFrame[] frames, IReadOnlyDictionary<string, string>? socketTargets = null, IReadOnlyDictionary<string, string>? unconfirmedSocketTargets = null)
    {
        var sequence = (ulong)Interlocked.Increment(ref _lastSequence);
        var broadcast = new Broadcast(nsp, rooms, except, flags, BackendId, sequence, frames);
        if (rooms.Count == 0)
        {
            _sequencer.Publish(Channels.Namespace(nsp), n => (broadcast with { ChannelSequence = n }).Encode());
        }
        else
        {
            // The same broadcast (same origin and sequence, so it is delivered once) on each room's
            // channel, numbered per channel; socket ids go to their distributor's inbox, once each.
            HashSet<string>? inboxes = null;
            foreach (var room in rooms)
            {
                if (socketTargets is not null && socketTargets.TryGetValue(room, out var distributorId))
                {
                    if ((inboxes ??= new HashSet<string>(StringComparer.Ordinal)).Add(distributorId))
                    {
                        _sequencer.Publish(Channels.Distributor(distributorId), n => (broadcast with { ChannelSequence = n }).Encode());
                    }

                    continue;
                }

                _sequencer.Publish(Channels.Room(nsp, room), n => (broadcast with { ChannelSequence = n }).Encode());
                if (unconfirmedSocketTargets is not null && unconfirmedSocketTargets.TryGetValue(room, out var maybe)
                    && (inboxes ??= new HashSet<string>(StringComparer.Ordinal)).Add(maybe))
                {
                    _sequencer.Publish(Channels.Distributor(maybe), n => (broadcast with { ChannelSequence = n }).Encode());
                }
            }
        }

        BackendMetrics.EmitsOut.Add(1);
    }

    /// <summary>
    /// Broadcasts frames on the namespace channel only, whatever the rooms (distributors filter by
    /// rooms and except): one ordered stream per namespace, which connection state recovery needs
    /// (a client's last offset must be a watermark of what it got).
    /// </summary>
    public void BroadcastOnNamespace(string nsp, IReadOnlyCollection<string> rooms, IReadOnlyCollection<string> except, EmitFlags flags, EngineFrame[] frames)
    {
        var sequence = (ulong)Interlocked.Increment(ref _lastSequence);
        var broadcast = new Broadcast(nsp, rooms, except, flags, BackendId, sequence, frames);
        _sequencer.Publish(Channels.Namespace(nsp), n => (broadcast with { ChannelSequence = n }).Encode());
        BackendMetrics.EmitsOut.Add(1);
    }

    /// <summary>Sends a command without waiting for it to take effect.</summary>
    public void SendCommand(string distributorId, string socketId, SocketCommandKind kind, IReadOnlyCollection<string> rooms, bool close) =>
        Publish(Channels.Distributor(distributorId), new SocketCommand(socketId, kind, rooms, close, 0, Inbox));

    /// <summary>Sends a command and waits until the distributor confirms it.</summary>
    /// <exception cref="TimeoutException">No confirmation within <paramref name="timeout"/>.</exception>
    public async Task CommandAsync(string distributorId, string socketId, SocketCommandKind kind, IReadOnlyCollection<string> rooms, bool close, TimeSpan timeout)
    {
        var id = NextRequestId();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands[id] = done;
        using var timer = _time.CreateTimer(
            _ =>
            {
                if (_commands.TryRemove(id, out var pending))
                {
                    pending.TrySetException(new TimeoutException(
                        $"Distributor {distributorId} did not confirm {kind} of socket {socketId} within {timeout.TotalMilliseconds:0} ms."));
                }
            },
            null,
            timeout,
            Timeout.InfiniteTimeSpan);
        Publish(Channels.Distributor(distributorId), new SocketCommand(socketId, kind, rooms, close, id, Inbox));
        await done.Task.ConfigureAwait(false);
    }

    /// <summary>A distributor confirmed a command.</summary>
    public void OnCommandAck(CommandAck ack)
    {
        if (_commands.TryRemove(ack.RequestId, out var done))
        {
            done.TrySetResult();
        }
        else
        {
            BackendLog.LateReply(_logger, ack.RequestId, ack.DistributorId);
        }
    }

    /// <summary>
    /// Publishes a remote query on the namespace channel and gathers the replies of
    /// <paramref name="expected"/> distributors, or what arrived by <paramref name="timeout"/>.
    /// </summary>
    public async Task<IReadOnlyList<RemoteReply>> QueryAsync(RemoteQueryScope scope, IReadOnlyCollection<string> expected, TimeSpan timeout)
    {
        var id = NextRequestId();
        var collector = new RemoteQueryCollector(expected);
        _queries[id] = collector;
        using var timer = _time.CreateTimer(
            _ =>
            {
                // Log before completing, so the log is written by the time the caller sees the result.
                var missing = collector.Missing;
                if (missing.Count > 0)
                {
                    BackendLog.RemoteQueryIncomplete(_logger, scope.Kind.ToString(), scope.Namespace, string.Join(", ", missing));
                }

                collector.Expire();
            },
            null,
            timeout,
            Timeout.InfiniteTimeSpan);
        try
        {
            Publish(Channels.Namespace(scope.Namespace), scope.ToQuery(id, Inbox));
            return await collector.Replies.ConfigureAwait(false);
        }
        finally
        {
            _queries.TryRemove(id, out _);
        }
    }

    /// <summary>A distributor answered a remote query; false if no query awaits it.</summary>
    public bool OnRemoteReply(RemoteReply reply)
    {
        if (_queries.TryGetValue(reply.RequestId, out var collector) && collector.Add(reply))
        {
            return true;
        }

        BackendLog.LateReply(_logger, reply.RequestId, reply.DistributorId);
        return false;
    }

    /// <summary>Fails every command and query still waiting (the backend is stopping).</summary>
    public void CancelPending()
    {
        foreach (var id in _commands.Keys)
        {
            if (_commands.TryRemove(id, out var done))
            {
                done.TrySetException(new OperationCanceledException("The backend stopped before the distributor confirmed."));
            }
        }

        foreach (var collector in _queries.Values)
        {
            collector.Cancel();
        }

        CancelBroadcastAcks();
        CancelServerSideEmits();
    }

    private ulong NextRequestId() => (ulong)Interlocked.Increment(ref _lastRequestId);
}
