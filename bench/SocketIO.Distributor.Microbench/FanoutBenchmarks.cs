using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Microbench;

/// <summary>
/// The fan-out write path through public API only: <see cref="EngineServer"/> accepts N WebSocket
/// sessions (a real <see cref="WebSocket"/> over an in-memory stream that counts what is written and
/// never delivers input), and one operation is <see cref="EngineSession.Send(EngineFrame)"/> of one
/// shared frame to every session, until every byte has been written to every socket. No kernel
/// sockets: this is our CPU cost per delivery above the network.
/// </summary>
[MemoryDiagnoser]
public class FanoutBenchmarks
{
    private readonly List<EngineSession> _sessions = [];
    private readonly List<SinkStream> _streams = [];
    private EngineServer _server = null!;
    private EngineFrame _frame;
    private long _expectedPerOp;

    [Params(100, 1000)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var handler = new CollectingHandler(_sessions);
        var options = new EngineOptions { PingInterval = TimeSpan.FromHours(1), PingTimeout = TimeSpan.FromHours(1) };
        _server = new EngineServer(options, handler, TimeProvider.System, NullLogger<EngineServer>.Instance);
        for (var i = 0; i < Sessions; i++)
        {
            var stream = new SinkStream();
            _streams.Add(stream);
            var context = new DefaultHttpContext();
            context.Request.Method = "GET";
            context.Request.Path = options.Path;
            context.Request.QueryString = new QueryString("?EIO=4&transport=websocket");
            context.Features.Set<IHttpWebSocketFeature>(new StreamWebSocketFeature(stream));
            context.Response.Body = Stream.Null;
            _ = _server.HandleRequestAsync(context);
        }

        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        while (_sessions.Count < Sessions && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(1);
        }

        if (_sessions.Count < Sessions)
        {
            throw new InvalidOperationException($"only {_sessions.Count} of {Sessions} sessions opened");
        }

        _frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Event, "/bench", -1, 0, Encoding.UTF8.GetBytes("[\"tick\",\"" + new string('x', 64) + "\"]"));
        _expectedPerOp = _frame.Length + 2; // server frames are unmasked: 2-byte header below 126 bytes
        Thread.Sleep(100);
        foreach (var stream in _streams)
        {
            stream.Reset();
        }
    }

    [Benchmark(Description = "EngineSession.Send of one shared frame to every WebSocket session, until written")]
    public void SendToAll()
    {
        foreach (var session in _sessions)
        {
            session.Send(_frame);
        }

        var spin = new SpinWait();
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
        foreach (var stream in _streams)
        {
            while (stream.Written < _expectedPerOp)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException("frames not written");
                }

                spin.SpinOnce();
            }

            stream.Consume(_expectedPerOp);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.CloseAll();
        foreach (var stream in _streams)
        {
            stream.Dispose();
        }
    }

    private sealed class CollectingHandler(List<EngineSession> sessions) : IEngineConnectionHandler
    {
        public void OnOpen(EngineSession session)
        {
            lock (sessions)
            {
                sessions.Add(session);
            }
        }

        public void OnMessage(EngineSession session, in EnginePacket packet)
        {
        }

        public void OnClose(EngineSession session, string reason)
        {
        }
    }

    private sealed class StreamWebSocketFeature(Stream stream) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => true;

        public Task<WebSocket> AcceptAsync(WebSocketAcceptContext context) =>
            Task.FromResult(WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan }));
    }

    /// <summary>Counts written bytes; reads wait until disposed (the client never sends).</summary>
    private sealed class SinkStream : Stream
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public void Reset() => Interlocked.Exchange(ref _written, 0);

        public void Consume(long bytes) => Interlocked.Add(ref _written, -bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Interlocked.Add(ref _written, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _written, buffer.Length);
            return ValueTask.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            _closed.TrySetResult();
            base.Dispose(disposing);
        }
    }
}
