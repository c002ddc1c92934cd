using System.Collections.Concurrent;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// What this distributor publishes on each backend's inbox: numbered 1, 2, 3... per inbox (so the
/// backend counts what Redis dropped), published with Redis's receiver count (so a dead inbox is
/// noticed at once), and, for client events without ack, remembered until the backend reports it
/// handled them (<see cref="InboxProgress"/>): when it dies first, those are counted as possibly lost.
/// <para>
/// Under load, messages are batched: while Redis has not answered an inbox's last publish, what follows
/// waits and goes out as one <see cref="MessageBatch"/> when the answer comes (or at once when the
/// batch is full). At light load every publish has been answered before the next one, so nothing
/// waits; under load one publish (one Redis command, one message for the backend to receive) carries
/// many. Only for backends that read batches (<see cref="MemberInfo.ReadsBatches"/>).
/// </para>
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

            sent = SendLocked(inbox, backendId, encode(sequence));
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
            if (inbox.Waiting is { } waiting)
            {
                // Behind the messages waiting for a batch, not ahead of them.
                var message = encode();
                waiting.Add(message);
                inbox.WaitingBytes += message.Length;
                return;
            }

            bus.Publish(bus.Channels.Backend(backendId), encode());
        }
    }

    /// <summary>Publishes now, or adds to the batch waiting for the inbox's publish in flight.</summary>
    private Task<long> SendLocked(Inbox inbox, string backendId, byte[] message)
    {
        if (inbox.Waiting is { } waiting)
        {
            waiting.Add(message);
            inbox.WaitingBytes += message.Length;
            var batch = inbox.WaitingSent!.Task;
            if (waiting.Count >= ChannelSequencer.MaxBatchMessages || inbox.WaitingBytes >= ChannelSequencer.MaxBatchBytes)
            {
                FlushLocked(inbox, backendId);
            }

            return batch;
        }

        if (inbox.InFlight is { IsCompleted: false } inFlight && ReadsBatches(inbox, backendId))
        {
            inbox.Waiting = [message];
            inbox.WaitingBytes = message.Length;
            inbox.WaitingSent = new TaskCompletionSource<long>();

            // On the thread pool, never inline here (the caller holds its locks); one work item per batch.
            _ = inFlight.ContinueWith(
                static (_, state) =>
                {
                    var (inboxes, inbox, backendId) = ((BackendInboxes, Inbox, string))state!;
                    lock (inbox)
                    {
                        inboxes.FlushLocked(inbox, backendId);
                    }
                },
                (this, inbox, backendId),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
            return inbox.WaitingSent.Task;
        }

        var sent = distributor.Bus.PublishCountingReceivers(distributor.Bus.Channels.Backend(backendId), message);
        inbox.InFlight = sent.IsCompleted ? null : sent;
        return sent;
    }

    /// <summary>Publishes the waiting messages (if any) as one batch; the callers' task completes with its receiver count.</summary>
    private void FlushLocked(Inbox inbox, string backendId)
    {
        if (inbox.Waiting is not { } waiting)
        {
            return;
        }

        var answer = inbox.WaitingSent!;
        inbox.Waiting = null;
        inbox.WaitingSent = null;
        inbox.WaitingBytes = 0;
        var bus = distributor.Bus;
        var message = waiting.Count == 1 ? waiting[0] : MessageBatch.Encode(waiting);
        var sent = bus.PublishCountingReceivers(bus.Channels.Backend(backendId), message);
        if (waiting.Count > 1)
        {
            distributor.Statistics.OnBatchPublished(waiting.Count);
        }

        inbox.InFlight = sent.IsCompleted ? null : sent;

        // The callers' continuations take locks of their own (the inbox's, a socket's): never run them
        // under this one, but on the thread that completes the publish (or on the thread pool).
        WhenPublished(sent, static (answer, receivers) => answer.SetResult(receivers), answer);
    }

    /// <summary>True if the backend reads batches (it said so in its registry entry); remembered once known.</summary>
    private bool ReadsBatches(Inbox inbox, string backendId)
    {
        if (inbox.ReadsBatches is { } known)
        {
            return known;
        }

        if (distributor.Membership.Find(backendId) is not { } member)
        {
            return false;
        }

        inbox.ReadsBatches = member.ReadsBatches;
        return member.ReadsBatches;
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the receiver count once <paramref name="sent"/> (a task of
    /// <see cref="Publish"/>) completes, never on the calling thread (callers publish under their locks,
    /// and the action may move sockets): inline on the thread that completes the task (StackExchange.Redis
    /// already completes it on the thread pool, so no second work item is queued per message), or on the
    /// thread pool when it completes on the calling thread (it had completed already: a message held over
    /// an outage, or not published; or it completed while the continuation was being attached).
    /// </summary>
    /// <param name="sent">The publish's task.</param>
    /// <param name="action">What to do with the receiver count.</param>
    /// <param name="state">The action's state.</param>
    /// <typeparam name="TState">The state's type.</typeparam>
    public static void WhenPublished<TState>(Task<long> sent, Action<TState, long> action, TState state)
    {
        if (sent.IsCompleted)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Action(s.State, s.Sent.Result), (Action: action, State: state, Sent: sent), preferLocal: false);
            return;
        }

        _ = sent.ContinueWith(
            static (task, boxed) =>
            {
                var (action, state, caller) = ((Action<TState, long>, TState, int))boxed!;
                if (Environment.CurrentManagedThreadId == caller)
                {
                    // Inline in ContinueWith itself, under the caller's locks: hop.
                    ThreadPool.UnsafeQueueUserWorkItem(static s => s.Action(s.State, s.Sent.Result), (Action: action, State: state, Sent: task), preferLocal: false);
                    return;
                }

                action(state, task.Result);
            },
            (action, state, Environment.CurrentManagedThreadId),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
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

        /// <summary>Whether the backend reads batches; null until its registry entry was seen.</summary>
        public bool? ReadsBatches;

        /// <summary>The inbox's last publish, while Redis has not answered it.</summary>
        public Task<long>? InFlight;

        /// <summary>The messages waiting for <see cref="InFlight"/>'s answer, to go out as one batch; null if none waits.</summary>
        public List<byte[]>? Waiting;

        /// <summary>The bytes in <see cref="Waiting"/>.</summary>
        public int WaitingBytes;

        /// <summary>Completes with the waiting batch's receiver count once it is published and answered.</summary>
        public TaskCompletionSource<long>? WaitingSent;
    }
}
