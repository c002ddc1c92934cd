using System.Diagnostics;
using SocketIOClient.Transport;

namespace SocketIO.Distributor.EndToEnd.Tests.DotNetClient;

/// <summary>
/// Sees which transports a SocketIOClient really uses: counts its HTTP long-polling requests (through the
/// <c>HttpClient</c> it is given) and the WebSockets it opens (through its <c>ClientWebSocketProvider</c>).
/// It keeps the last <see cref="ExchangesKept"/> polling exchanges (method, status, times and the start of
/// each body) so that a test that times out can say what went over HTTP (<see cref="Exchanges"/>).
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

    /// <summary>How many polling exchanges <see cref="Exchanges"/> keeps (the last ones).</summary>
    public const int ExchangesKept = 40;

    public override string ToString() => $"polling GETs: {PollingGets}, polling POSTs: {PollingPosts}, WebSockets opened: {WebSocketsOpened}";

    /// <summary>The last polling exchanges, one per line: start and end (ms since the probe was made), method, status, bodies.</summary>
    public string Exchanges => _handler.Describe();

    public void Dispose() => HttpClient.Dispose();

    private sealed class CountingHandler : DelegatingHandler
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Queue<string> _exchanges = new();
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

            return RecordAsync(request, cancellationToken);
        }

        public string Describe()
        {
            lock (_exchanges)
            {
                return _exchanges.Count == 0 ? "(no polling exchange)" : string.Join(Environment.NewLine, _exchanges);
            }
        }

        private async Task<HttpResponseMessage> RecordAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var started = _clock.ElapsedMilliseconds;
            var sent = request.Content is null ? string.Empty : Start(await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                // Buffered, so the client still reads the whole body after this.
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                var received = Start(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                Keep($"{started,6}-{_clock.ElapsedMilliseconds,6} ms {request.Method} {(int)response.StatusCode} sent [{sent}] got [{received}]");
                return response;
            }
            catch (Exception ex)
            {
                Keep($"{started,6}-{_clock.ElapsedMilliseconds,6} ms {request.Method} failed: {ex.GetType().Name} sent [{sent}]");
                throw;
            }
        }

        private static string Start(string body) =>
            (body.Length <= 120 ? body : body[..120] + $"... ({body.Length} chars)").Replace("\u001e", "<RS>", StringComparison.Ordinal);

        private void Keep(string line)
        {
            lock (_exchanges)
            {
                if (_exchanges.Count == ExchangesKept)
                {
                    _exchanges.Dequeue();
                }

                _exchanges.Enqueue(line);
            }
        }
    }
}
