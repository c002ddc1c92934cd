using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Gathers the replies to one <see cref="RemoteQuery"/>: done when every distributor expected
/// has answered (one reply each; replies from others are kept too), or when it expires.
/// </summary>
internal sealed class RemoteQueryCollector
{
    private readonly HashSet<string> _waiting;
    private readonly Dictionary<string, RemoteReply> _replies = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<IReadOnlyList<RemoteReply>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();

    public RemoteQueryCollector(IEnumerable<string> expected)
    {
        _waiting = new HashSet<string>(expected, StringComparer.Ordinal);
        if (_waiting.Count == 0)
        {
            _done.TrySetResult([]);
        }
    }

    /// <summary>The replies, once all arrived or the query expired.</summary>
    public Task<IReadOnlyList<RemoteReply>> Replies => _done.Task;

    /// <summary>Adds a reply; false if this distributor had already answered.</summary>
    public bool Add(RemoteReply reply)
    {
        lock (_gate)
        {
            if (!_replies.TryAdd(reply.DistributorId, reply))
            {
                return false;
            }

            _waiting.Remove(reply.DistributorId);
            if (_waiting.Count == 0)
            {
                _done.TrySetResult([.. _replies.Values]);
            }

            return true;
        }
    }

    /// <summary>The distributors that have not answered yet.</summary>
    public IReadOnlyCollection<string> Missing
    {
        get
        {
            lock (_gate)
            {
                return [.. _waiting];
            }
        }
    }

    /// <summary>Completes with the replies so far.</summary>
    public void Expire()
    {
        lock (_gate)
        {
            _done.TrySetResult([.. _replies.Values]);
        }
    }

    /// <summary>Fails the query (the backend is stopping).</summary>
    public void Cancel() => _done.TrySetException(new OperationCanceledException("The backend stopped before every distributor answered."));
}
