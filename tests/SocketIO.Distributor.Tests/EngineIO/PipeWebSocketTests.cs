using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.EngineIO;

/// <summary>
/// The bare path's own RFC 6455 framing (<see cref="PipeWebSocket"/>), driven over two in-memory pipes
/// with frames written byte for byte as a client sends them (masked) and the server's frames parsed back.
/// </summary>
public sealed class PipeWebSocketTests
{
    private static readonly byte[] Mask = [0x37, 0xfa, 0x21, 0x3d];

    [Theory]
    [InlineData(5)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(300)]
    [InlineData(70_000)]
    public async Task A_masked_message_of_any_length_arrives_unmasked_after_a_zero_byte_read(int length)
    {
        await using var pair = new Pair();
        var payload = Payload(length);
        await pair.ClientSendsAsync(Frame(0x1, fin: true, payload));

        var first = await pair.Server.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).AsTask().WithTimeout("zero-byte read");
        Assert.Equal((0, WebSocketMessageType.Text, false), (first.Count, first.MessageType, first.EndOfMessage));
        Assert.Equal(payload, await ReceiveMessageAsync(pair.Server, chunk: 4096));
    }

    [Fact]
    public async Task A_frame_arriving_one_byte_at_a_time_is_read_whole_with_the_mask_lined_up_across_reads()
    {
        await using var pair = new Pair();
        var payload = Payload(1_000);
        var frame = Frame(0x2, fin: true, payload);
        var sending = Task.Run(async () =>
        {
            foreach (var b in frame)
            {
                await pair.ClientSendsAsync([b]);
            }
        });

        // Odd read sizes, so that reads end inside the 4-byte mask cycle and the 8-byte unmasking words.
        Assert.Equal(payload, await ReceiveMessageAsync(pair.Server, chunk: 13));
        await sending.WithTimeout("byte-wise send");
    }

    [Fact]
    public async Task A_fragmented_message_with_a_ping_between_its_frames_is_one_message_and_the_ping_is_answered()
    {
        await using var pair = new Pair();
        await pair.ClientSendsAsync([.. Frame(0x1, fin: false, "Hel"u8.ToArray()), .. Frame(0x9, fin: true, "p!"u8.ToArray()), .. Frame(0x0, fin: true, "lo"u8.ToArray())]);

        Assert.Equal("Hello"u8.ToArray(), await ReceiveMessageAsync(pair.Server, chunk: 64));
        var pong = await pair.ServerFrameAsync();
        Assert.Equal((true, 0xA), (pong.Fin, pong.Opcode));
        Assert.Equal("p!"u8.ToArray(), pong.Payload);
    }

    [Fact]
    public async Task Server_frames_are_unmasked_with_the_shortest_length_encoding()
    {
        await using var pair = new Pair();
        foreach (var length in new[] { 0, 125, 126, 65_535, 65_536 })
        {
            var payload = Payload(length);
            await pair.Server.SendAsync(payload.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).AsTask().WithTimeout("send");
            var frame = await pair.ServerFrameAsync();
            Assert.Equal((true, 0x2, false), (frame.Fin, frame.Opcode, frame.Masked));
            Assert.Equal(length <= 125 ? 2 : length <= 65_535 ? 4 : 10, frame.HeaderLength);
            Assert.Equal(payload, frame.Payload);
        }

        await pair.Server.SendAsync("a"u8.ToArray().AsMemory(), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
        await pair.Server.SendAsync("b"u8.ToArray().AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var start = await pair.ServerFrameAsync();
        var end = await pair.ServerFrameAsync();
        Assert.Equal((false, 0x1, true, 0x0), (start.Fin, start.Opcode, end.Fin, end.Opcode));
    }

    [Fact]
    public async Task A_client_close_is_answered_with_its_code_and_ends_the_reads()
    {
        await using var pair = new Pair();
        await pair.ClientSendsAsync(Frame(0x8, fin: true, [0x03, 0xE8, .. "bye"u8]));

        var result = await pair.Server.ReceiveAsync(new byte[16].AsMemory(), CancellationToken.None).AsTask().WithTimeout("close");
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "bye", WebSocketState.Closed), (pair.Server.CloseStatus, pair.Server.CloseStatusDescription, pair.Server.State));
        var answer = await pair.ServerFrameAsync();
        Assert.Equal((0x8, 1000), (answer.Opcode, (int)BinaryPrimitives.ReadUInt16BigEndian(answer.Payload)));
        await Assert.ThrowsAsync<WebSocketException>(() => pair.Server.SendAsync("late"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task After_the_server_closes_first_the_client_s_close_completes_the_handshake_without_a_second_close()
    {
        await using var pair = new Pair();
        await pair.Server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WithTimeout("close output");
        Assert.Equal(WebSocketState.CloseSent, pair.Server.State);
        Assert.Equal(0x8, (await pair.ServerFrameAsync()).Opcode);

        // Data still in flight from the client is read, then its close.
        await pair.ClientSendsAsync([.. Frame(0x1, fin: true, "x"u8.ToArray()), .. Frame(0x8, fin: true, [0x03, 0xE8])]);
        Assert.Equal("x"u8.ToArray(), await ReceiveMessageAsync(pair.Server, chunk: 8));
        var close = await pair.Server.ReceiveAsync(new byte[8].AsMemory(), CancellationToken.None).AsTask().WithTimeout("close");
        Assert.Equal((WebSocketMessageType.Close, WebSocketState.Closed), (close.MessageType, pair.Server.State));
        pair.CompleteServerOutput();
        Assert.Null(await pair.ServerFrameOrEndAsync());
    }

    public static TheoryData<string, byte[]> ProtocolErrors => new()
    {
        { "unmasked", [0x81, 0x01, (byte)'a'] },
        { "reserved bit", [.. Frame(0x1, fin: true, "a"u8.ToArray(), rsv: 0x40)] },
        { "unknown opcode", [.. Frame(0x3, fin: true, "a"u8.ToArray())] },
        { "continuation first", [.. Frame(0x0, fin: true, "a"u8.ToArray())] },
        { "new message inside a fragmented one", [.. Frame(0x1, fin: false, "a"u8.ToArray()), .. Frame(0x2, fin: true, "b"u8.ToArray())] },
        { "fragmented ping", [.. Frame(0x9, fin: false, "a"u8.ToArray())] },
        { "ping over 125 bytes", [.. Frame(0x9, fin: true, Payload(126))] },
        { "close with one byte", [.. Frame(0x8, fin: true, [0x03])] },
    };

    [Theory]
    [MemberData(nameof(ProtocolErrors))]
    public async Task A_protocol_error_fails_the_read_and_sends_close_1002(string what, byte[] bytes)
    {
        await using var pair = new Pair();
        await pair.ClientSendsAsync(bytes);

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveMessageAsync(pair.Server, chunk: 64).WithTimeout(what));
        Assert.Contains("protocol error", error.Message, StringComparison.Ordinal);
        var close = await pair.ServerFrameAsync();
        Assert.Equal((0x8, 1002), (close.Opcode, (int)BinaryPrimitives.ReadUInt16BigEndian(close.Payload)));
        Assert.Equal(WebSocketState.Aborted, pair.Server.State);
    }

    [Fact]
    public async Task A_connection_that_ends_inside_a_frame_fails_the_read_as_closed_prematurely()
    {
        await using var pair = new Pair();
        var frame = Frame(0x1, fin: true, Payload(50));
        await pair.ClientSendsAsync(frame[..20]);
        await pair.CompleteClientAsync();

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveMessageAsync(pair.Server, chunk: 64).WithTimeout("read"));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
    }

    [Fact]
    public async Task A_write_waiting_on_a_full_pipe_is_cancelled_by_its_token()
    {
        // A 1 KB pause threshold stands for a client that takes no bytes.
        await using var pair = new Pair(pauseWriterThreshold: 1024);
        using var cancel = new CancellationTokenSource();
        var writing = pair.Server.SendAsync(Payload(4096).AsMemory(), WebSocketMessageType.Binary, true, cancel.Token).AsTask();
        Assert.False(writing.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing.WithTimeout("cancelled write"));
    }

    [Fact]
    public void Unmasking_in_words_matches_the_byte_by_byte_definition_at_every_offset()
    {
        var random = new Random(6455);
        for (var round = 0; round < 200; round++)
        {
            var data = new byte[random.Next(0, 100)];
            random.NextBytes(data);
            var key = random.Next();
            var offset = random.Next(0, 4);
            var expected = data.Select((b, i) => (byte)(b ^ BitConverter.GetBytes(key)[(offset + i) & 3])).ToArray();

            var next = WebSocketFrames.Unmask(data, key, offset);
            Assert.Equal(expected, data);
            Assert.Equal((offset + data.Length) & 3, next);
        }
    }

    private static byte[] Payload(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 3)).ToArray();

    /// <summary>A client frame: masked with <see cref="Mask"/>, the shortest length encoding.</summary>
    private static byte[] Frame(int opcode, bool fin, byte[] payload, byte rsv = 0)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | rsv | opcode) };
        if (payload.Length <= 125)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.AddRange([0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        else
        {
            frame.Add(0x80 | 127);
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }

        frame.AddRange(Mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ Mask[i & 3])));
        return [.. frame];
    }

    private static async Task<byte[]> ReceiveMessageAsync(WebSocket socket, int chunk)
    {
        var message = new List<byte>();
        var buffer = new byte[chunk];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask().WithTimeout("receive");
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            message.AddRange(buffer.AsSpan(0, result.Count));
            if (result.EndOfMessage)
            {
                return [.. message];
            }
        }
    }

    private sealed record ServerFrame(bool Fin, int Opcode, bool Masked, int HeaderLength, byte[] Payload);

    /// <summary>The server's socket over two pipes: the client's bytes in, the server's bytes out.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private readonly Pipe _toServer = new(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        private readonly Pipe _toClient;

        public Pair(long pauseWriterThreshold = 1 << 20)
        {
            _toClient = new Pipe(new PipeOptions(pauseWriterThreshold: pauseWriterThreshold, resumeWriterThreshold: pauseWriterThreshold / 2));
            Server = new PipeWebSocket(new DuplexPipe(_toServer.Reader, _toClient.Writer));
        }

        public PipeWebSocket Server { get; }

        public async Task ClientSendsAsync(byte[] bytes) => await _toServer.Writer.WriteAsync(bytes).AsTask().WithTimeout("client send");

        public async Task CompleteClientAsync() => await _toServer.Writer.CompleteAsync();

        public void CompleteServerOutput() => _toClient.Writer.Complete();

        public async Task<ServerFrame> ServerFrameAsync() =>
            await ServerFrameOrEndAsync() ?? throw new Xunit.Sdk.XunitException("The server's output ended before a frame.");

        public async Task<ServerFrame?> ServerFrameOrEndAsync()
        {
            var reader = _toClient.Reader;
            while (true)
            {
                var read = await reader.ReadAsync().AsTask().WithTimeout("server frame");
                var bytes = read.Buffer.ToArray();
                if (bytes.Length >= 2)
                {
                    var length = (long)(bytes[1] & 0x7F);
                    var header = 2;
                    if (length == 126 && bytes.Length >= 4)
                    {
                        length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2));
                        header = 4;
                    }
                    else if (length == 127 && bytes.Length >= 10)
                    {
                        length = (long)BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(2));
                        header = 10;
                    }

                    if ((bytes[1] & 0x7F) is < 126 || header > 2)
                    {
                        if (bytes.Length >= header + length)
                        {
                            reader.AdvanceTo(read.Buffer.GetPosition(header + length));
                            return new ServerFrame((bytes[0] & 0x80) != 0, bytes[0] & 0x0F, (bytes[1] & 0x80) != 0, header, bytes.AsSpan(header, (int)length).ToArray());
                        }
                    }
                }

                if (read.IsCompleted)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    return null;
                }

                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Server.Dispose();
            await _toServer.Writer.CompleteAsync();
            await _toClient.Reader.CompleteAsync();
        }

        private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input => input;

            public PipeWriter Output => output;
        }
    }
}
