using System.Threading.Channels;
using SocketIO.Distributor.Testing;
using SocketIOClient;
using SocketIOClient.Transport;
using Client = SocketIOClient.SocketIO;

namespace SocketIO.Distributor.EndToEnd.Tests.DotNetClient;

/// <summary>
/// One SocketIOClient (NuGet, 3.x) connection to one namespace of the echo host, recording what the host
/// sends so the test can await it. SocketIOClient 3.x opens one Engine.IO connection per namespace.
/// </summary>
internal sealed class EchoConnection : IAsyncDisposable
{
    private readonly Client _client;
    private readonly Channel<SocketIOResponse> _messagesBack = Channel.CreateUnbounded<SocketIOResponse>();
    private readonly Channel<SocketIOResponse> _serverAcksReceived = Channel.CreateUnbounded<SocketIOResponse>();
    private readonly Channel<(SocketIOResponse Request, Task Answer)> _serverAckRequests = Channel.CreateUnbounded<(SocketIOResponse, Task)>();
    private readonly TaskCompletionSource<SocketIOResponse> _auth = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _error = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="serverAckAnswer">The arguments to ack each <c>server-ack-me</c> with.</param>
    public EchoConnection(string url, string nsp, TransportProtocol transport, bool autoUpgrade, IReadOnlyDictionary<string, string> auth, object[] serverAckAnswer)
    {
        Namespace = nsp;
        Probe = new TransportProbe();
        var options = new SocketIOOptions
        {
            EIO = 4,
            Transport = transport,
            AutoUpgrade = autoUpgrade,
            Auth = auth,
            Reconnection = false,
            ConnectionTimeout = Eventually.DefaultTimeout,
        };
        _client = new Client(url.TrimEnd('/') + (nsp == "/" ? "" : nsp), options)
        {
            HttpClient = Probe.HttpClient,
            ClientWebSocketProvider = Probe.WebSocketProvider(options.EIO),
        };

        _client.On("auth", response => _auth.TrySetResult(response));
        _client.On("message-back", response => _messagesBack.Writer.TryWrite(response));
        _client.On("server-ack-received", response => _serverAcksReceived.Writer.TryWrite(response));
        _client.On("server-ack-me", response => _serverAckRequests.Writer.TryWrite((response, response.CallbackAsync(serverAckAnswer))));
        _client.OnError += (_, error) => _error.TrySetResult(error);
        _client.OnDisconnected += (_, reason) => _disconnected.TrySetResult(reason);
    }

    public string Namespace { get; }

    public TransportProbe Probe { get; }

    public bool Connected => _client.Connected;

    /// <summary>The first <c>auth</c> event: the server's echo of the handshake auth.</summary>
    public Task<SocketIOResponse> Auth => _auth.Task.WithTimeout($"\"auth\" on {Namespace}");

    /// <summary>The first error the client reported (a refused namespace, for one).</summary>
    public Task<string> Error => _error.Task;

    /// <summary>What the client reported so far beyond its events: an error, a disconnect and its reason (for failure messages).</summary>
    public string Reported =>
        $"error: {(_error.Task.IsCompletedSuccessfully ? _error.Task.Result : "none")}, disconnected: {(_disconnected.Task.IsCompletedSuccessfully ? _disconnected.Task.Result : "no")}";

    /// <summary>
    /// Connects and returns how long after <c>ConnectAsync</c> returned <c>Connected</c> became true:
    /// SocketIOClient 3.0.6 sometimes returns from <c>ConnectAsync</c> before the namespace's CONNECT is acknowledged.
    /// </summary>
    public async Task<TimeSpan> ConnectAsync()
    {
        await StartConnectingAsync();
        var returned = System.Diagnostics.Stopwatch.GetTimestamp();
        await Eventually.TrueAsync(() => _client.Connected, $"{Namespace} reports Connected after ConnectAsync returned");
        return System.Diagnostics.Stopwatch.GetElapsedTime(returned);
    }

    /// <summary>Only the client's <c>ConnectAsync</c>, for a namespace the server refuses.</summary>
    public Task StartConnectingAsync() => _client.ConnectAsync().WithTimeout($"the connection to {Namespace}");

    /// <summary>Emits <c>message</c> and returns the <c>message-back</c> that follows.</summary>
    public async Task<SocketIOResponse> EchoAsync(params object[] args)
    {
        await _client.EmitAsync("message", args).WithTimeout($"emitting \"message\" on {Namespace}");
        return await _messagesBack.Reader.ReadAsync().AsTask().WithTimeout($"\"message-back\" on {Namespace}");
    }

    /// <summary>Emits <paramref name="eventName"/> with an ack callback and returns the ack.</summary>
    public async Task<SocketIOResponse> EmitWithAckAsync(string eventName, params object[] args)
    {
        var acked = new TaskCompletionSource<SocketIOResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _client.EmitAsync(eventName, response => acked.TrySetResult(response), args).WithTimeout($"emitting \"{eventName}\" on {Namespace}");
        return await acked.Task.WithTimeout($"the ack of \"{eventName}\" on {Namespace}");
    }

    /// <summary>
    /// Emits <c>request-server-ack</c>; returns the server's <c>server-ack-me</c> (already acked, see the
    /// constructor) and the <c>server-ack-received</c> that reports the ack arguments back.
    /// </summary>
    public async Task<(SocketIOResponse Request, SocketIOResponse Received)> RoundTripServerAckAsync(params object[] args)
    {
        await _client.EmitAsync("request-server-ack", args).WithTimeout($"emitting \"request-server-ack\" on {Namespace}");
        var (request, answer) = await _serverAckRequests.Reader.ReadAsync().AsTask().WithTimeout($"\"server-ack-me\" on {Namespace}");
        await answer.WithTimeout($"acking \"server-ack-me\" on {Namespace}");
        var received = await _serverAcksReceived.Reader.ReadAsync().AsTask().WithTimeout($"\"server-ack-received\" on {Namespace}");
        return (request, received);
    }

    /// <summary>Disconnects and returns the reason the client reported.</summary>
    public async Task<string> DisconnectAsync()
    {
        await _client.DisconnectAsync().WithTimeout($"disconnecting from {Namespace}");
        return await _disconnected.Task.WithTimeout($"the disconnect event on {Namespace}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.Connected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        Probe.Dispose();
    }
}
