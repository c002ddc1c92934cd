using System.Collections.Concurrent;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// What this distributor publishes on each backend's inbox: numbered 1, 2, 3... per inbox (so the
/// backend counts what Redis dropped), published with Redis's receiver count (so a dead inbox is
/// noticed at once), and, for client events without ack, remembered until the backend reports it
/// handled them (<see cref="InboxProgress"/>): when it dies first, those are counted as possibly lost.
/// </summary>
internal sealed class BackendInboxes(SocketIODistributor distributor)
{
    /// <summary>The most unreported events without ack remembered per backend; older ones are assumed handled.</summary>
    internal const int MaxUnreported = 65_536;

    private readonly ConcurrentDictionary<string, Inbox> _inboxes = new(StringComparer.Ordinal);

    /// <summary>
    /// Numbers and publishes a message on <paramref name="backendId"/>'s inbox. The task gives the
    /// receiver count (-1: not published); it never faults.
    /// </summary>
    /// <param name="backendId">The backend.</param>
    /// <param name="encode">Encodes the message with the given channel sequence number.</param>
    /// <param name="eventWithoutAck">True for a client event without ack id (remembered until reported handled).</param>
    public Task<long> Publish(string backendId, Func<ulong, byte[]> encode, bool eventWithoutAck)
    {
        var bus = distributor.Bus;
        var inbox = _inboxes.GetOrAdd(backendId, static _ => new Inbox());
        Task<long> sent;
        ulong sequence;
        lock (inbox)
        {
            // Numbering and publishing under one lock keeps the numbers in publish order.
            sequence = ++inbox.Sequence;
            if (eventWithoutAck)
            {
                if (inbox.Unreported.Count >= MaxUnreported)
                {
                    inbox.Unreported.Dequeue();
                }

                inbox.Unreported.Enqueue(sequence);
            }

            sent = bus.PublishCountingReceivers(bus.Channels.Backend(backendId), encode(sequence));
        }

        if (sent.IsCompletedSuccessfully)
        {
            OnReply(inbox, sequence, sent.Result);
            return sent;
        }

        return ReplyAsync(inbox, sequence, sent);
    }

    /// <summary>
    /// Publishes a message without a number on <paramref name="backendId"/>'s inbox, in order with the
    /// numbered ones: <paramref name="encode"/> runs under the inbox's lock, so what it reads reflects
    /// every message published there before it and none published after it (a socket inventory built
    /// this way lists every socket whose CONNECT the backend has received before it).
    /// </summary>
    /// <param name="backendId">The backend.</param>
    /// <param name="encode">Builds and encodes the message.</param>
    public void PublishInOrder(string backendId, Func<byte[]> encode)
    {
        var bus = distributor.Bus;
        var inbox = _inboxes.GetOrAdd(backendId, static _ => new Inbox());
        lock (inbox)
        {
            bus.Publish(bus.Channels.Backend(backendId), encode());
        }
    }

    /// <summary>The backend reported how far it handled what this distributor sent.</summary>
    public void OnProgress(InboxProgress progress)
    {
        if (!_inboxes.TryGetValue(progress.BackendId, out var inbox))
        {
            return;
        }

        lock (inbox)
        {
            while (inbox.Unreported.TryPeek(out var sequence) && sequence <= progress.HandledThrough)
            {
                inbox.Unreported.Dequeue();
            }
        }
    }

    /// <summary>
    /// The backend is gone: forgets its inbox and returns how many events without ack it did not report
    /// handled, leaving out those Redis said nobody received (they are re-sent). Replies still on their
    /// way are not waited for, so the count errs on the side of "possibly lost".
    /// </summary>
    public long Forget(string backendId)
    {
        if (!_inboxes.TryRemove(backendId, out var inbox))
        {
            return 0;
        }

        lock (inbox)
        {
            return inbox.Unreported.Count(sequence => !inbox.Undelivered.Contains(sequence));
        }
    }

    private async Task<long> ReplyAsync(Inbox inbox, ulong sequence, Task<long> sent)
    {
        var receivers = await sent.ConfigureAwait(false);
        OnReply(inbox, sequence, receivers);
        return receivers;
    }

    private void OnReply(Inbox inbox, ulong sequence, long receivers)
    {
        if (receivers == 0 && distributor.Bus.ReceiverCountsTrusted)
        {
            lock (inbox)
            {
                if (inbox.Undelivered.Count < MaxUnreported)
                {
                    inbox.Undelivered.Add(sequence);
                }
            }
        }
    }

    private sealed class Inbox
    {
        public ulong Sequence;
        public readonly Queue<ulong> Unreported = new();
        public readonly HashSet<ulong> Undelivered = [];
    }
}
