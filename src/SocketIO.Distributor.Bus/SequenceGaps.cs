namespace SocketIO.Distributor.Bus;

/// <summary>
/// Counts messages lost between a sender and this process on each channel, from the numbers
/// <see cref="ChannelSequencer"/> stamps: a jump from 7 to 10 means two messages never arrived.
/// A number that goes back (the sender restarted) starts a new stream. Bounded in the pairs it tracks.
/// </summary>
/// <param name="maxTracked">The most (sender, channel) pairs remembered.</param>
public sealed class SequenceGaps(int maxTracked = 100_000)
{
    private readonly Dictionary<(string Sender, string Channel), ulong> _last = [];
    private long _lost;

    /// <summary>Messages found missing so far.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Records a received message; returns how many before it are missing (usually 0).</summary>
    /// <param name="sender">The sending process.</param>
    /// <param name="channel">The channel it came on.</param>
    /// <param name="sequence">Its number; 0 means not numbered (ignored).</param>
    /// <returns>The messages missing just before this one.</returns>
    public ulong Observe(string sender, string channel, ulong sequence)
    {
        if (sequence == 0 || string.IsNullOrEmpty(sender))
        {
            return 0;
        }

        lock (_last)
        {
            if (_last.Count >= maxTracked)
            {
                _last.Clear();
            }

            var key = (sender, channel);
            var missing = _last.TryGetValue(key, out var last) && sequence > last + 1 ? sequence - last - 1 : 0;
            _last[key] = sequence;
            if (missing > 0)
            {
                Interlocked.Add(ref _lost, (long)missing);
            }

            return missing;
        }
    }
}
