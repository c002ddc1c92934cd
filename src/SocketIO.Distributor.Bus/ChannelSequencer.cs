using System.Collections.Concurrent;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Numbers what one process publishes on each channel (1, 2, 3...) and publishes in that order, so a
/// receiver can count the messages Redis dropped (a subscriber whose output buffer overflowed is
/// disconnected and misses whatever was published until it resubscribes). Bounded: past
/// <c>maxChannels</c> the counters restart, which receivers treat as a new stream, not as a gap.
/// <para>
/// Under load it batches: on a channel whose receivers read batches (<paramref name="readsBatches"/>),
/// while Redis has not answered the channel's last publish, what follows waits and goes out as one
/// <see cref="MessageBatch"/> when the answer comes (or at once when the batch is full). At light load
/// every publish has been answered before the next one, so nothing waits.
/// </para>
/// </summary>
/// <param name="bus">The bus to publish on.</param>
/// <param name="maxChannels">The most channels numbered at once.</param>
/// <param name="readsBatches">Whether every receiver of a channel reads batches: true, false, or null while not known (asked again later). Null: never batch.</param>
public sealed class ChannelSequencer(RedisBus bus, int maxChannels = 100_000, Func<string, bool?>? readsBatches = null)
{
    /// <summary>The most messages in one batch.</summary>
    public const int MaxBatchMessages = 128;

    /// <summary>The most bytes in one batch (a batch is sent once it has this many, answer or not).</summary>
    public const int MaxBatchBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private long _batchesPublished;
    private long _messagesBatched;

    /// <summary>Batches published (several messages in one pub/sub message).</summary>
    public long BatchesPublished => Interlocked.Read(ref _batchesPublished);

    /// <summary>The messages those batches carried.</summary>
    public long MessagesBatched => Interlocked.Read(ref _messagesBatched);

    /// <summary>Encodes the message with the channel's next number and publishes it.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="encode">Encodes the message carrying the given sequence number.</param>
    public void Publish(string channel, Func<ulong, byte[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        var counter = CounterOf(channel);
        lock (counter)
        {
            // Numbering and publishing under one lock keeps the numbers in publish order.
            counter.Value++;
            SendLocked(counter, channel, encode(counter.Value));
        }
    }

    /// <summary>
    /// Publishes a message without a number, in order with the numbered ones on its channel (behind any
    /// that wait for a batch).
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The encoded message.</param>
    public void PublishUnnumbered(string channel, byte[] message)
    {
        if (!_counters.TryGetValue(channel, out var counter))
        {
            // Nothing numbered was published there: nothing to keep order with.
            bus.Publish(channel, message);
            return;
        }

        lock (counter)
        {
            SendLocked(counter, channel, message);
        }
    }

    /// <summary>
    /// Encodes the message with the channel's next number and hands it to <paramref name="send"/>
    /// (which publishes it some other way, e.g. from a script), under the same lock as <see cref="Publish(string, Func{ulong, byte[]})"/>.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="encode">Encodes the message carrying the given sequence number.</param>
    /// <param name="send">Publishes the encoded message on the channel.</param>
    public void Publish(string channel, Func<ulong, byte[]> encode, Action<string, byte[]> send)
    {
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentNullException.ThrowIfNull(send);
        var counter = CounterOf(channel);
        lock (counter)
        {
            counter.Value++;

            // What waits for a batch goes first (both on the same connection, in order).
            FlushLocked(counter, channel);
            counter.InFlight = null;
            send(channel, encode(counter.Value));
        }
    }

    private Counter CounterOf(string channel)
    {
        if (_counters.Count > maxChannels)
        {
            _counters.Clear();
        }

        return _counters.GetOrAdd(channel, static _ => new Counter());
    }

    /// <summary>Publishes now, or adds to the batch waiting for the channel's publish in flight.</summary>
    private void SendLocked(Counter counter, string channel, byte[] message)
    {
        if (counter.Waiting is { } waiting)
        {
            waiting.Add(message);
            counter.WaitingBytes += message.Length;
            if (waiting.Count >= MaxBatchMessages || counter.WaitingBytes >= MaxBatchBytes)
            {
                FlushLocked(counter, channel);
            }

            return;
        }

        if (counter.InFlight is { IsCompleted: false } inFlight && ReadsBatches(counter, channel))
        {
            counter.Waiting = [message];
            counter.WaitingBytes = message.Length;

            // On the thread pool, never inline here (the caller may hold locks); one work item per batch.
            _ = inFlight.ContinueWith(
                static (answered, state) =>
                {
                    _ = answered.Exception; // a lost connection: the outage logic handles it
                    var (sequencer, counter, channel) = ((ChannelSequencer, Counter, string))state!;
                    lock (counter)
                    {
                        sequencer.FlushLocked(counter, channel);
                    }
                },
                (this, counter, channel),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
            return;
        }

        Send(counter, channel, message);
    }

    /// <summary>Publishes the waiting messages (if any) as one batch.</summary>
    private void FlushLocked(Counter counter, string channel)
    {
        if (counter.Waiting is not { } waiting)
        {
            return;
        }

        counter.Waiting = null;
        counter.WaitingBytes = 0;
        if (waiting.Count == 1)
        {
            Send(counter, channel, waiting[0]);
            return;
        }

        Interlocked.Increment(ref _batchesPublished);
        Interlocked.Add(ref _messagesBatched, waiting.Count);
        Send(counter, channel, MessageBatch.Encode(waiting));
    }

    private void Send(Counter counter, string channel, byte[] message)
    {
        if (counter.ReadsBatches == false)
        {
            bus.Publish(channel, message);
            return;
        }

        var sent = bus.PublishWatched(channel, message);
        counter.InFlight = sent.IsCompleted ? null : sent;
    }

    private bool ReadsBatches(Counter counter, string channel)
    {
        if (counter.ReadsBatches is { } known)
        {
            return known;
        }

        if (readsBatches?.Invoke(channel) is not { } answer)
        {
            return false;
        }

        counter.ReadsBatches = answer;
        return answer;
    }

    private sealed class Counter
    {
        public ulong Value;

        /// <summary>Whether the channel's receivers read batches; null until known.</summary>
        public bool? ReadsBatches;

        /// <summary>The channel's last publish, while Redis has not answered it.</summary>
        public Task? InFlight;

        /// <summary>The messages waiting for <see cref="InFlight"/>'s answer, to go out as one batch; null if none waits.</summary>
        public List<byte[]>? Waiting;

        /// <summary>The bytes in <see cref="Waiting"/>.</summary>
        public int WaitingBytes;
    }
}
