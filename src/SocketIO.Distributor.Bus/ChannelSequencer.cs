using System.Collections.Concurrent;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Numbers what one process publishes on each channel (1, 2, 3...) and publishes in that order, so a
/// receiver can count the messages Redis dropped (a subscriber whose output buffer overflowed is
/// disconnected and misses whatever was published until it resubscribes). Bounded: past
/// <c>maxChannels</c> the counters restart, which receivers treat as a new stream, not as a gap.
/// </summary>
/// <param name="bus">The bus to publish on.</param>
/// <param name="maxChannels">The most channels numbered at once.</param>
public sealed class ChannelSequencer(RedisBus bus, int maxChannels = 100_000)
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>Encodes the message with the channel's next number and publishes it.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="encode">Encodes the message carrying the given sequence number.</param>
    public void Publish(string channel, Func<ulong, byte[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        if (_counters.Count > maxChannels)
        {
            _counters.Clear();
        }

        var counter = _counters.GetOrAdd(channel, static _ => new Counter());
        lock (counter)
        {
            // Numbering and publishing under one lock keeps the numbers in publish order.
            counter.Value++;
            bus.Publish(channel, encode(counter.Value));
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
        if (_counters.Count > maxChannels)
        {
            _counters.Clear();
        }

        var counter = _counters.GetOrAdd(channel, static _ => new Counter());
        lock (counter)
        {
            counter.Value++;
            send(channel, encode(counter.Value));
        }
    }

    private sealed class Counter
    {
        public ulong Value;
    }
}
