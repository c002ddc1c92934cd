using SocketIOClient.Transport;

namespace SocketIO.Distributor.EndToEnd.Tests.DotNetClient;

/// <summary>
/// Sees which transports a SocketIOClient really uses: counts its HTTP long-polling requests (through the
/// <c>HttpClient</c> it is given) and the WebSockets it opens (through its <c>ClientWebSocketProvider</c>).
/// </summary>
internal sealed class TransportProbe : IDisposable
{
    private readonly CountingHandler _handler = new();
    private int _webSocketsOpened;

    public TransportProbe() => HttpClient = new HttpClient(_handler);

    public HttpClient HttpClient { get; }

    /// <summary>Long-polling GET requests (handshake and polls).</summary>
    public int PollingGets => _handler.Gets;

    /// <summary>Long-polling POST requests (packets sent over HTTP).</summary>
    public int PollingPosts => _handler.Posts;

    public int WebSocketsOpened => Volatile.Read(ref _webSocketsOpened);

    /// <summary>A <c>ClientWebSocketProvider</c> that counts the WebSockets it hands out.</summary>
    public Func<IClientWebSocket> WebSocketProvider(int eio) => () =>
    {
        Interlocked.Increment(ref _webSocketsOpened);
        return new SystemNetWebSocketsClientWebSocket(eio);
    };

    public override string ToString() => $"polling GETs: {PollingGets}, polling POSTs: {PollingPosts}, WebSockets opened: {WebSocketsOpened}";

    public void Dispose() => HttpClient.Dispose();

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _gets;
        private int _posts;

        public CountingHandler()
            : base(new SocketsHttpHandler())
        {
        }

        public int Gets => Volatile.Read(ref _gets);

        public int Posts => Volatile.Read(ref _posts);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                Interlocked.Increment(ref _gets);
            }
            else if (request.Method == HttpMethod.Post)
            {
                Interlocked.Increment(ref _posts);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
