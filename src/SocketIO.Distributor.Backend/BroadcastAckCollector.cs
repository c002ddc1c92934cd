namespace SocketIO.Distributor.Backend;

/// <summary>
/// Gathers the answers to one broadcast with acknowledgements: every expected distributor tells how many
/// sockets it wrote to, then each answer arrives; complete when every count came and as many answers.
/// </summary>
internal sealed class BroadcastAckCollector
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _waitingFor;
    private readonly List<SocketArguments> _answers = [];
    private readonly TaskCompletionSource<IReadOnlyList<SocketArguments>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _expectedAnswers;

    public BroadcastAckCollector(IEnumerable<string> distributors)
    {
        _waitingFor = new HashSet<string>(distributors, StringComparer.Ordinal);
        TryComplete();
    }

    /// <summary>The answers, once all came.</summary>
    public Task<IReadOnlyList<SocketArguments>> Answers => _done.Task;

    /// <summary>A distributor told how many sockets it wrote to.</summary>
    public void OnCount(string distributorId, ulong count)
    {
        lock (_gate)
        {
            // A distributor not expected (it joined after the emit) still counts: its answers will come.
            _waitingFor.Remove(distributorId);
            _expectedAnswers += (long)count;
            TryComplete();
        }
    }

    /// <summary>One client answered.</summary>
    public void OnAnswer(SocketArguments answer)
    {
        lock (_gate)
        {
            _answers.Add(answer);
            TryComplete();
        }
    }

    /// <summary>The time is up: fails with the answers so far.</summary>
    public void Expire(TimeSpan timeout)
    {
        lock (_gate)
        {
            _done.TrySetException(new BroadcastAckTimeoutException([.. _answers], (int)Math.Max(_expectedAnswers, _answers.Count), timeout));
        }
    }

    /// <summary>The backend stopped.</summary>
    public void Cancel() => _done.TrySetException(new OperationCanceledException("The backend stopped before every client answered."));

    private void TryComplete()
    {
        if (_waitingFor.Count == 0 && _answers.Count >= _expectedAnswers)
        {
            _done.TrySetResult([.. _answers]);
        }
    }
}
