using System.Collections.Concurrent;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>Events between the backends of a namespace (socket.io's <c>serverSideEmit</c>).</summary>
internal sealed partial class BackendRouter
{
    private readonly ConcurrentDictionary<ulong, ServerSideCollector> _serverSide = new();

    /// <summary>Sends an event to each of <paramref name="backends"/>' inboxes, without waiting.</summary>
    public void ServerSideEmit(string nsp, string ev, ReadOnlyMemory<byte> argumentsJson, IReadOnlyCollection<string> backends)
    {
        var message = new ServerSideEmit(nsp, BackendId, ev, argumentsJson, 0, string.Empty).Encode();
        foreach (var backend in backends)
        {
            _bus.Publish(Channels.Backend(backend), message);
        }
    }

    /// <summary>Sends an event to each of <paramref name="backends"/> and gathers one answer from each.</summary>
    /// <exception cref="ServerSideAckTimeoutException">Not every backend answered in time.</exception>
    public async Task<IReadOnlyList<ServerSideAnswer>> ServerSideEmitWithAckAsync(
        string nsp, string ev, ReadOnlyMemory<byte> argumentsJson, IReadOnlyCollection<string> backends, TimeSpan timeout)
    {
        var id = NextRequestId();
        var collector = new ServerSideCollector(backends);
        _serverSide[id] = collector;
        using var timer = _time.CreateTimer(_ => collector.Expire(timeout), null, timeout, System.Threading.Timeout.InfiniteTimeSpan);
        try
        {
            var message = new ServerSideEmit(nsp, BackendId, ev, argumentsJson, id, Inbox).Encode();
            foreach (var backend in backends)
            {
                _bus.Publish(Channels.Backend(backend), message);
            }

            return await collector.Answers.ConfigureAwait(false);
        }
        finally
        {
            _serverSide.TryRemove(id, out _);
        }
    }

    /// <summary>Another backend answered; false if nothing awaits it.</summary>
    public bool OnServerSideReply(ServerSideReply reply, SocketArguments arguments)
    {
        if (_serverSide.TryGetValue(reply.RequestId, out var collector))
        {
            collector.Add(new ServerSideAnswer(reply.BackendId, arguments));
            return true;
        }

        BackendLog.LateReply(_logger, reply.RequestId, reply.BackendId);
        return false;
    }

    private void CancelServerSideEmits()
    {
        foreach (var collector in _serverSide.Values)
        {
            collector.Cancel();
        }
    }

    private sealed class ServerSideCollector
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _waitingFor;
        private readonly List<ServerSideAnswer> _answers = [];
        private readonly TaskCompletionSource<IReadOnlyList<ServerSideAnswer>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ServerSideCollector(IEnumerable<string> backends)
        {
            _waitingFor = new HashSet<string>(backends, StringComparer.Ordinal);
            if (_waitingFor.Count == 0)
            {
                _done.TrySetResult([]);
            }
        }

        public Task<IReadOnlyList<ServerSideAnswer>> Answers => _done.Task;

        public void Add(ServerSideAnswer answer)
        {
            lock (_gate)
            {
                if (_waitingFor.Remove(answer.BackendId))
                {
                    _answers.Add(answer);
                    if (_waitingFor.Count == 0)
                    {
                        _done.TrySetResult([.. _answers]);
                    }
                }
            }
        }

        public void Expire(TimeSpan timeout)
        {
            lock (_gate)
            {
                _done.TrySetException(new ServerSideAckTimeoutException([.. _answers], [.. _waitingFor], timeout));
            }
        }

        public void Cancel() => _done.TrySetException(new OperationCanceledException("The backend stopped before every backend answered."));
    }
}
