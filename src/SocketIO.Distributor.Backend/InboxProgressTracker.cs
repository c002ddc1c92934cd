namespace SocketIO.Distributor.Backend;

/// <summary>
/// How far the backend has handled what each distributor sent to its inbox: every numbered message is
/// recorded when it arrives and again when its socket's queue got past it; the watermark of a
/// distributor is the highest number below which everything was handled. Bounded by the messages in
/// flight (the pipeline and the socket queues are bounded).
/// </summary>
internal sealed class InboxProgressTracker
{
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    /// <summary>A numbered message from <paramref name="distributorId"/> arrived.</summary>
    public void Received(string distributorId, ulong sequence)
    {
        lock (_streams)
        {
            if (!_streams.TryGetValue(distributorId, out var stream) || sequence <= stream.HighestReceived)
            {
                // New, or the sender restarted its numbering: a new stream.
                stream = new Stream();
                _streams[distributorId] = stream;
            }

            stream.HighestReceived = sequence;
            stream.InFlight.Add(sequence);
        }
    }

    /// <summary>The message is handled (or will never be).</summary>
    public void Handled(string distributorId, ulong sequence)
    {
        lock (_streams)
        {
            if (_streams.TryGetValue(distributorId, out var stream))
            {
                stream.InFlight.Remove(sequence);
            }
        }
    }

    /// <summary>True while some recorded message is not handled yet.</summary>
    public bool HasInFlight
    {
        get
        {
            lock (_streams)
            {
                foreach (var stream in _streams.Values)
                {
                    if (stream.InFlight.Count > 0)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>The distributors whose watermark moved since the last call, with the new watermark.</summary>
    public List<(string DistributorId, ulong HandledThrough)> TakeReports()
    {
        var reports = new List<(string, ulong)>();
        lock (_streams)
        {
            foreach (var (id, stream) in _streams)
            {
                var through = stream.InFlight.Count == 0 ? stream.HighestReceived : stream.InFlight.Min - 1;
                if (through > stream.Reported)
                {
                    stream.Reported = through;
                    reports.Add((id, through));
                }
            }
        }

        return reports;
    }

    /// <summary>Forgets a distributor that is gone.</summary>
    public void Forget(string distributorId)
    {
        lock (_streams)
        {
            _streams.Remove(distributorId);
        }
    }

    private sealed class Stream
    {
        public ulong HighestReceived;
        public ulong Reported;
        public readonly SortedSet<ulong> InFlight = [];
    }
}
