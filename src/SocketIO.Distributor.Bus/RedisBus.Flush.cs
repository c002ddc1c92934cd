using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Sending the outage buffer once every connection is back: in order, pipelined in batches, and, while
/// the other processes may still be subscribing again (the settling period), without sending an inbox's
/// messages to nobody and without sending any message twice.
/// </summary>
public sealed partial class RedisBus
{
    /// <summary>The most held messages published at once (pipelined) when the connection is back.</summary>
    private const int FlushBatch = 256;

    /// <summary>How long to wait before re-sending inbox messages that no subscriber took while settling.</summary>
    private static readonly TimeSpan SettleRetryDelay = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Publishes the held messages in order; new publishes queue behind them until the buffer is empty
    /// and the settling period is over. During the settling period (one member timeout after the
    /// reconnect) the other processes may not have re-subscribed yet: an inbox's first message goes out
    /// alone, and while it reaches no subscriber it is kept and sent again, with its channel's later
    /// messages behind it, until a subscriber takes it (then the rest follow, pipelined) or the period
    /// ends (then it is sent once more, like any message: its receiver is likely dead). A message Redis
    /// answered is never sent again, so none arrives twice. On a Redis Cluster in classic mode, where
    /// PUBLISH counts the subscribers of one node only, nothing is re-sent.
    /// </summary>
    private async Task FlushHeldAsync()
    {
        try
        {
            await FlushHeldCoreAsync();
        }
        catch (Exception ex)
        {
            // Unexpected (the bus is being disposed): the next reconnect or failed publish restarts it.
            lock (_outageGate)
            {
                _flushing = false;
            }

            Log.FlushFailed(_logger, ex);
        }
    }

    private async Task FlushHeldCoreAsync()
    {
        await Task.Yield();
        await AnswersFromBeforeTheOutageAsync();
        var settleUntil = _time.GetTimestamp() + (long)(Options.MemberTimeout.TotalSeconds * _time.TimestampFrequency);
        var countsReliable = ReceiverCountsReliable();
        var subscribed = new HashSet<string>(StringComparer.Ordinal);
        var sent = 0;
        while (true)
        {
            var settling = countsReliable && _time.GetTimestamp() < settleUntil;
            var batch = new List<HeldMessage>(FlushBatch);
            lock (_outageGate)
            {
                if (PublishingBrokenLocked())
                {
                    // Lost again: the next reconnect resumes.
                    _flushing = false;
                    return;
                }

                while (batch.Count < FlushBatch && _held.TryTakeFirst(out var first))
                {
                    batch.Add(first);
                }

                if (batch.Count == 0 && !settling)
                {
                    _holding = false;
                    _flushing = false;
                    if (sent > 0)
                    {
                        Log.HeldSent(_logger, sent);
                    }

                    return;
                }
            }

            if (batch.Count == 0)
            {
                await Task.Delay(SettleRetryDelay, _time);
                continue;
            }

            var outcome = settling ? await PublishSettlingAsync(batch, subscribed) : PublishAll(batch);
            sent += batch.Count - outcome.Unsent.Count;
            if (outcome.Unsent.Count > 0)
            {
                Requeue(outcome.Unsent);
            }

            if (outcome.Failure is { } failure)
            {
                bool lostAgain;
                lock (_outageGate)
                {
                    // Lost again: the reconnect resumes the flush. Otherwise nothing else would (new
                    // publishes join the buffer while it is being sent): try again shortly.
                    lostAgain = PublishingBrokenLocked();
                    _flushing &= !lostAgain;
                }

                if (lostAgain)
                {
                    return;
                }

                Log.FlushRetried(_logger, failure.Message);
                await Task.Delay(RecheckPeriod, _time);
            }
            else if (outcome.Waiting)
            {
                await Task.Delay(SettleRetryDelay, _time);
            }
        }
    }

    /// <summary>
    /// Waits (up to the library's command timeout) until every publish counting its receivers that was
    /// sent before the outage was noticed has its answer: those the library kept in its backlog go out on
    /// the new connection, and one that reached nobody there is held again (in its place, before its
    /// channel's later messages), which must happen before the buffer is sent.
    /// </summary>
    private async Task AnswersFromBeforeTheOutageAsync()
    {
        var giveUpAt = _time.GetTimestamp() + (long)(_connection.TimeoutMilliseconds / 1000.0 * _time.TimestampFrequency);
        while (Volatile.Read(ref _countedPublishesInFlight) > 0 && _time.GetTimestamp() < giveUpAt)
        {
            await Task.Delay(SettleRetryDelay, _time);
        }
    }

    /// <summary>Past the settling period: publishes the whole batch without waiting for answers (in order on the connection).</summary>
    private BatchOutcome PublishAll(List<HeldMessage> batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var (channel, message, _) = batch[i];
            try
            {
                _subscriber.Publish(ChannelOf(channel), message, CommandFlags.FireAndForget);
            }
            catch (RedisConnectionException ex)
            {
                return new BatchOutcome(batch[i..], Waiting: false, ex);
            }

            BusMetrics.MessagesPublished.Add(1);
            BusMetrics.BytesPublished.Add(message.Length);
        }

        return new BatchOutcome([], Waiting: false, Failure: null);
    }

    /// <summary>
    /// In the settling period: publishes the batch pipelined, except that an inbox not yet known to have
    /// its subscriber back (<paramref name="subscribed"/>) gets only its first message, and broadcast
    /// channels short of their expected subscribers none; what is held back, what reached nobody, and
    /// what Redis did not answer come back as unsent, in their order.
    /// </summary>
    private async Task<BatchOutcome> PublishSettlingAsync(List<HeldMessage> batch, HashSet<string> subscribed)
    {
        // Broadcast channels short of their expected subscribers wait (PUBSUB NUMSUB, no publish yet).
        var stalled = await ChannelsShortOfSubscribersAsync(batch);
        var probing = new HashSet<string>(StringComparer.Ordinal);
        var sending = new Task<long>?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var channel = batch[i].Channel;
            if (stalled.Contains(channel) || probing.Contains(channel))
            {
                // Behind its channel's first message, which must find a subscriber before the rest go.
                continue;
            }

            if (Channels.IsInbox(channel) && !subscribed.Contains(channel))
            {
                probing.Add(channel);
            }

            sending[i] = _subscriber.PublishAsync(ChannelOf(channel), batch[i].Message);
        }

        Exception? failure = null;
        try
        {
            await Task.WhenAll(sending.OfType<Task<long>>());
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            failure = ex;
        }

        var unsent = new List<HeldMessage>();
        var waiting = false;
        for (var i = 0; i < batch.Count; i++)
        {
            var (channel, message, _) = batch[i];
            if (sending[i] is not { IsCompletedSuccessfully: true } answered)
            {
                // Held back, or not answered (the connection failed): sent again later, in order.
                unsent.Add(batch[i]);
                waiting |= sending[i] is null;
                continue;
            }

            if (probing.Contains(channel))
            {
                if (answered.Result == 0)
                {
                    // Nobody on that inbox yet: this message and its channel's next ones wait.
                    unsent.Add(batch[i]);
                    waiting = true;
                    continue;
                }

                subscribed.Add(channel);
            }

            BusMetrics.MessagesPublished.Add(1);
            BusMetrics.BytesPublished.Add(message.Length);
        }

        return new BatchOutcome(unsent, waiting, failure);
    }

    /// <summary>The batch's broadcast channels whose subscribers Redis counts below <see cref="ExpectedSubscribers"/>.</summary>
    private async Task<HashSet<string>> ChannelsShortOfSubscribersAsync(List<HeldMessage> batch)
    {
        var stalled = new HashSet<string>(StringComparer.Ordinal);
        if (ExpectedSubscribers is not { } expected)
        {
            return stalled;
        }

        var probes = batch
            .Select(m => m.Channel)
            .Distinct(StringComparer.Ordinal)
            .Where(c => !Channels.IsInbox(c))
            .Select(c => (Channel: c, Expected: expected(c)))
            .Where(p => p.Expected > 0)
            .ToList();
        if (probes.Count == 0)
        {
            return stalled;
        }

        try
        {
            var counts = await CountNowAsync([.. probes.Select(p => p.Channel)]);
            for (var i = 0; i < probes.Count; i++)
            {
                if (counts[i] < probes[i].Expected)
                {
                    stalled.Add(probes[i].Channel);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException or InvalidCastException)
        {
            // PUBSUB NUMSUB unsupported (or several servers in classic mode): publish without waiting.
        }

        return stalled;
    }

    /// <summary>Puts messages back at the head of the buffer, in their order.</summary>
    private void Requeue(List<HeldMessage> messages)
    {
        lock (_outageGate)
        {
            _held.PutBack(messages);
        }
    }

    /// <summary>What became of a batch of held messages.</summary>
    /// <param name="Unsent">The messages to send again, in their order.</param>
    /// <param name="Waiting">True if some wait for a subscriber (try again shortly).</param>
    /// <param name="Failure">The connection failed while sending.</param>
    private sealed record BatchOutcome(List<HeldMessage> Unsent, bool Waiting, Exception? Failure);
}
