using System.Collections.Concurrent;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>Broadcasts with acknowledgements: one ack id for every socket, answers gathered here.</summary>
internal sealed partial class BackendRouter
{
    /// <summary>
    /// Broadcast ack ids live far above a socket's own ack ids (which count from 0) and below 2^31, because some
    /// clients (SocketIOClient for .NET) read ack ids as 32-bit integers: 2^30 + a random salt per backend (10 bits,
    /// shifted by 20) + a counter (20 bits). Two backends' broadcasts reach the same socket with different ids unless
    /// their salts match and their counters meet (the distributor then keeps the newer; the older times out).
    /// </summary>
    private const long BroadcastAckBase = 1L << 30;

    private readonly ConcurrentDictionary<ulong, BroadcastAckCollector> _broadcastAcks = new();
    private readonly long _ackSalt = (long)Random.Shared.Next(1 << 10) << 20;
    private long _lastBroadcastAck;

    /// <summary>
    /// Broadcasts an event asking every client for an acknowledgement; gathers the answers. With
    /// <paramref name="toDistributor"/>, the broadcast goes to that distributor's inbox only (targets held there).
    /// </summary>
    public async Task<IReadOnlyList<SocketArguments>> BroadcastWithAckAsync(
        string nsp,
        IReadOnlyCollection<string> rooms,
        IReadOnlyCollection<string> except,
        EmitFlags flags,
        EncodedPayload payload,
        IReadOnlyCollection<string> expected,
        TimeSpan timeout,
        string? toDistributor = null)
    {
        var requestId = NextRequestId();
        var ackId = BroadcastAckBase + _ackSalt + (Interlocked.Increment(ref _lastBroadcastAck) & 0xF_FFFF);
        var collector = new BroadcastAckCollector(expected);
        _broadcastAcks[requestId] = collector;
        using var timer = _time.CreateTimer(_ => collector.Expire(timeout), null, timeout, System.Threading.Timeout.InfiniteTimeSpan);
        try
        {
            var sequence = (ulong)Interlocked.Increment(ref _lastSequence);
            var broadcast = new Broadcast(nsp, rooms, except, flags, BackendId, sequence, payload.EventFrames(nsp, ackId))
            {
                AckRequestId = requestId,
                ReplyChannel = Inbox,
                AckId = (ulong)ackId,
                AckTimeoutMs = (ulong)Math.Ceiling(timeout.TotalMilliseconds),
            };

            // The namespace channel, whatever the rooms: every distributor of the namespace must answer
            // with its count (a room channel reaches only those with members, which the backend cannot know).
            var channel = toDistributor is null ? Channels.Namespace(nsp) : Channels.Distributor(toDistributor);
            _sequencer.Publish(channel, n => (broadcast with { ChannelSequence = n }).Encode());
            BackendMetrics.EmitsOut.Add(1);
            return await collector.Answers.ConfigureAwait(false);
        }
        finally
        {
            _broadcastAcks.TryRemove(requestId, out _);
        }
    }

    /// <summary>A distributor told how many sockets it wrote a broadcast with acks to.</summary>
    public void OnBroadcastAckCount(BroadcastAckCount count)
    {
        if (_broadcastAcks.TryGetValue(count.RequestId, out var collector))
        {
            collector.OnCount(count.DistributorId, count.Count);
        }
        else
        {
            BackendLog.LateReply(_logger, count.RequestId, count.DistributorId);
        }
    }

    /// <summary>A client answered a broadcast with acks; false if nothing awaits it any more.</summary>
    public bool OnBroadcastAckAnswer(ulong requestId, SocketArguments answer)
    {
        if (_broadcastAcks.TryGetValue(requestId, out var collector))
        {
            collector.OnAnswer(answer);
            return true;
        }

        return false;
    }

    /// <summary>Fails every broadcast still waiting for answers.</summary>
    private void CancelBroadcastAcks()
    {
        foreach (var collector in _broadcastAcks.Values)
        {
            collector.Cancel();
        }
    }
}
