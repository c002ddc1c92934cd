using SocketIO.Distributor.Testing;
using SocketIOClient;
using SocketIOClient.Transport;
using Client = SocketIOClient.SocketIO;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// One NuGet SocketIOClient (3.x, in-process) socket to one namespace, recording the events the test
/// listens to so they can be counted and awaited (each wait consumes one event, like the Node driver).
/// SocketIOClient opens one Engine.IO connection per namespace.
/// </summary>
internal sealed class DotNetSocket : IAsyncDisposable
{
    private readonly Client _client;
    private readonly Lock _lock = new();
    private readonly List<(string Event, SocketIOResponse Response)> _received = [];
    private readonly HashSet<int> _taken = [];
    private readonly TaskCompletionSource<string> _error = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="events">The events to record.</param>
    /// <param name="ackReplies">Server acks to answer: event name → the ack arguments.</param>
    public DotNetSocket(
        string url,
        string nsp,
        string[] events,
        IReadOnlyDictionary<string, object[]>? ackReplies = null,
        IReadOnlyDictionary<string, string>? auth = null,
        IReadOnlyDictionary<string, string>? extraHeaders = null)
    {
        Namespace = nsp;
        var options = new SocketIOOptions
        {
            EIO = 4,
            Transport = TransportProtocol.WebSocket,
            AutoUpgrade = false,
            Reconnection = false,
            ConnectionTimeout = Eventually.DefaultTimeout,
        };
        if (auth is not null)
        {
            options.Auth = auth;
        }

        if (extraHeaders is not null)
        {
            options.ExtraHeaders = extraHeaders.ToDictionary(h => h.Key, h => h.Value);
        }

        _client = new Client(url.TrimEnd('/') + nsp, options);
        foreach (var ev in events)
        {
            _client.On(ev, response =>
            {
                if (ackReplies is not null && ackReplies.TryGetValue(ev, out var reply))
                {
                    _ = response.CallbackAsync(reply);
                }

                Record(ev, response);
            });
        }

        _client.OnError += (_, error) => _error.TrySetResult(error);
    }

    public string Namespace { get; }

    /// <summary>The Socket.IO id (as the backend knows it).</summary>
    public string Id => _client.Id;

    /// <summary>The first error the client reported, such as a refused connection.</summary>
    public Task<string> Error => _error.Task;

    /// <summary>Connects and waits until the client reports Connected (3.0.6 can return from ConnectAsync a little before).</summary>
    public async Task ConnectAsync()
    {
        await _client.ConnectAsync().WithTimeout($"SocketIOClient connecting to {Namespace}");
        await Eventually.TrueAsync(() => _client.Connected && !string.IsNullOrEmpty(_client.Id), $"SocketIOClient is connected to {Namespace}");
    }

    public Task EmitAsync(string ev, params object[] args) => _client.EmitAsync(ev, args).WithTimeout($"emitting \"{ev}\"");

    /// <summary>Emits with an ack callback; returns the ack.</summary>
    public async Task<SocketIOResponse> EmitWithAckAsync(string ev, params object[] args)
    {
        var acked = new TaskCompletionSource<SocketIOResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _client.EmitAsync(ev, response => acked.TrySetResult(response), args).WithTimeout($"emitting \"{ev}\"");
        return await acked.Task.WithTimeout($"the ack of \"{ev}\" on {Namespace}");
    }

    /// <summary>How many <paramref name="ev"/> were received so far.</summary>
    public int Count(string ev)
    {
        lock (_lock)
        {
            return _received.Count(r => r.Event == ev);
        }
    }

    /// <summary>The first <paramref name="ev"/> no earlier wait returned: already received, or the next to come.</summary>
    public async Task<SocketIOResponse> WaitForEventAsync(string ev, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Eventually.DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                for (var i = 0; i < _received.Count; i++)
                {
                    if (_received[i].Event == ev && _taken.Add(i))
                    {
                        return _received[i].Response;
                    }
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for \"{ev}\" on the SocketIOClient socket of {Namespace}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.Connected)
        {
            await _client.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _client.Dispose();
    }

    private void Record(string ev, SocketIOResponse response)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _received.Add((ev, response));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
