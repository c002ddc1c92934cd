namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Remembers the last few multi-room broadcasts (by origin and sequence) so one that arrives on
/// several room channels is delivered once. Bounded: the oldest are forgotten first.
/// </summary>
internal sealed class RecentBroadcasts(int capacity = 4096)
{
    private readonly object _gate = new();
    private readonly HashSet<(string Origin, ulong Sequence)> _seen = [];
    private readonly Queue<(string Origin, ulong Sequence)> _order = new();

    /// <summary>Records a broadcast; false if it was seen already.</summary>
    public bool TryAdd(string origin, ulong sequence)
    {
        lock (_gate)
        {
            if (!_seen.Add((origin, sequence)))
            {
                return false;
            }

            _order.Enqueue((origin, sequence));
            if (_order.Count > capacity)
            {
                _seen.Remove(_order.Dequeue());
            }

            return true;
        }
    }
}
