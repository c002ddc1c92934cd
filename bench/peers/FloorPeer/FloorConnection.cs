using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SocketIO.Distributor.Bench.Floor;

/// <summary>
/// One client: the HTTP request (an upgrade to WebSocket, or GET /bench-stats), then its frames, each handled
/// on the thread that read it. Sends are blocking, one <see cref="Socket.Send(ReadOnlySpan{byte})"/> per frame.
/// </summary>
internal sealed class FloorConnection(FloorServer server, Socket socket, long id)
{
    internal static readonly byte[] EventPrefix = Encoding.UTF8.GetBytes("42/bench,");
    private static readonly byte[] AckPrefix = Encoding.UTF8.GetBytes("43/bench,");
    private static readonly byte[] ConnectPrefix = Encoding.UTF8.GetBytes("40/bench,");

    private readonly Lock _sendGate = new();
    private byte[] _buffer = new byte[4096];
    private int _length;
    private bool _closed;

    public void Send(ReadOnlySpan<byte> frame)
    {
        lock (_sendGate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                while (frame.Length > 0)
                {
                    frame = frame[socket.Send(frame)..];
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                _closed = true;
            }
        }
    }

    public async Task RunAsync()
    {
        try
        {
            if (await ReadRequestAsync().ConfigureAwait(false))
            {
                await ReadFramesAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidDataException)
        {
            // The client went away or sent what this floor does not speak: the connection ends.
        }
        finally
        {
            server.Left(this);
            lock (_sendGate)
            {
                _closed = true;
            }

            socket.Dispose();
        }
    }

    /// <summary>Reads the HTTP request; true when it was upgraded to WebSocket (what follows it stays in the buffer).</summary>
    private async Task<bool> ReadRequestAsync()
    {
        int end;
        while ((end = _buffer.AsSpan(0, _length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await ReceiveAsync().ConfigureAwait(false))
            {
                return false;
            }
        }

        var head = Encoding.ASCII.GetString(_buffer, 0, end);
        Consume(end + 4);
        var lines = head.Split("\r\n");
        var target = lines[0].Split(' ') is { Length: >= 2 } parts ? parts[1] : string.Empty;
        if (target.StartsWith("/bench-stats", StringComparison.Ordinal))
        {
            if (target.Contains("gc=1", StringComparison.Ordinal))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
            }

            var body = string.Create(CultureInfo.InvariantCulture, $"{{\"heap\":{GC.GetTotalMemory(false)},\"role\":\"floor\"}}");
            Send(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {body.Length}\r\nconnection: close\r\n\r\n{body}"));
            return false;
        }

        var key = lines.Select(l => l.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))?[1];
        if (key is null || !target.StartsWith("/socket.io/", StringComparison.Ordinal))
        {
            Send("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"u8);
            return false;
        }

        Send(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {WebSocketFrame.Accept(key)}\r\n\r\n"));
        Send(WebSocketFrame.Text(Encoding.UTF8.GetBytes($"0{{\"sid\":\"floor{id}\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}}")));
        return true;
    }

    private async Task ReadFramesAsync()
    {
        while (true)
        {
            while (WebSocketFrame.TryRead(_buffer.AsSpan(0, _length), out var opcode, out var payload, out var consumed))
            {
                switch (opcode)
                {
                    case WebSocketFrame.OpText:
                        OnMessage(_buffer.AsSpan(payload));
                        break;
                    case WebSocketFrame.OpPing:
                        Send(WebSocketFrame.Frame(WebSocketFrame.OpPong, _buffer.AsSpan(payload)));
                        break;
                    case WebSocketFrame.OpClose:
                        Send(WebSocketFrame.Frame(WebSocketFrame.OpClose, []));
                        return;
                }

                Consume(consumed);
            }

            if (!await ReceiveAsync().ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>A Socket.IO packet of /bench: CONNECT, an event (echo, join, fire), or anything else (ignored).</summary>
    private void OnMessage(ReadOnlySpan<byte> text)
    {
        if (text.StartsWith(ConnectPrefix) || text.SequenceEqual("40/bench"u8))
        {
            server.Joined(this);
            Send(WebSocketFrame.Text(Encoding.UTF8.GetBytes($"40/bench,{{\"sid\":\"floor{id}\"}}")));
            return;
        }

        if (!text.StartsWith(EventPrefix))
        {
            return;
        }

        // 42/bench,<ack id>["name",args...]
        var rest = text[EventPrefix.Length..];
        var digits = 0;
        while (digits < rest.Length && rest[digits] is >= (byte)'0' and <= (byte)'9')
        {
            digits++;
        }

        var ackId = rest[..digits];
        var array = rest[digits..];
        if (array.Length < 4 || array[0] != '[' || array[1] != '"' || array[^1] != ']')
        {
            return;
        }

        var nameEnd = array[2..].IndexOf((byte)'"') + 2;
        var name = array[2..nameEnd];
        var args = nameEnd + 2 < array.Length ? array[(nameEnd + 2)..^1] : [];
        if (name.SequenceEqual("echo"u8))
        {
            Ack(ackId, args);
        }
        else if (name.SequenceEqual("join"u8))
        {
            server.Join(this, Encoding.UTF8.GetString(args.Trim((byte)'"')));
            Ack(ackId, "\"ok\""u8);
        }
        else if (name.SequenceEqual("fire"u8))
        {
            // "room","payload": the room is a plain string (no escapes in the bench), the payload is passed on as JSON.
            var roomEnd = args.Length > 1 ? args[1..].IndexOf((byte)'"') + 1 : -1;
            if (roomEnd > 0 && roomEnd + 2 <= args.Length)
            {
                server.Broadcast(Encoding.UTF8.GetString(args[1..roomEnd]), args[(roomEnd + 2)..]);
            }
        }
    }

    private void Ack(ReadOnlySpan<byte> ackId, ReadOnlySpan<byte> argsJson)
    {
        if (ackId.IsEmpty)
        {
            return;
        }

        var text = new byte[AckPrefix.Length + ackId.Length + argsJson.Length + 2];
        AckPrefix.CopyTo(text, 0);
        ackId.CopyTo(text.AsSpan(AckPrefix.Length));
        var at = AckPrefix.Length + ackId.Length;
        text[at] = (byte)'[';
        argsJson.CopyTo(text.AsSpan(at + 1));
        text[^1] = (byte)']';
        Send(WebSocketFrame.Text(text));
    }

    private async ValueTask<bool> ReceiveAsync()
    {
        if (_length == _buffer.Length)
        {
            if (_buffer.Length >= 32 << 20)
            {
                throw new InvalidDataException("a message over 32 MB");
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var n = await socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None).ConfigureAwait(false);
        _length += n;
        return n > 0;
    }

    private void Consume(int bytes)
    {
        _buffer.AsSpan(bytes, _length - bytes).CopyTo(_buffer);
        _length -= bytes;
    }
}
