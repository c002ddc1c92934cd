using System.Net.WebSockets;
using System.Text;

namespace SocketIO.Distributor.LoadGen;

/// <summary>What arrived on a client: an answer to one of its requests, or a server event.</summary>
internal enum InboundKind
{
    Ack,
    Event,
}

/// <summary>
/// One benchmark client over a raw <see cref="ClientWebSocket"/>. Subclasses speak one wire protocol
/// (Socket.IO v5 over Engine.IO v4, or SignalR's JSON hub protocol); scenarios see only
/// <see cref="EmitAsync"/> and <see cref="Inbound"/>.
/// </summary>
internal abstract class BenchClient : IAsyncDisposable
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private byte[] _buffer = new byte[1024];
    private Task? _receiveLoop;

    protected BenchClient(int index) => Index = index;

    /// <summary>The client's number in its scenario (0-based).</summary>
    public int Index { get; }

    /// <summary>
    /// Called on the receive loop for every ack (id) or event (name). The span is the whole message
    /// and is valid only during the call. Calls for one client never overlap.
    /// </summary>
    public Action<BenchClient, InboundKind, long, string?, ReadOnlyMemory<byte>>? Inbound { get; set; }

    /// <summary>Set when the connection ended unexpectedly (or the server disconnected the client's namespace).</summary>
    public string? Failure { get; private set; }

    protected ClientWebSocket Socket { get; } = new();

    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Connects and joins <paramref name="nsp"/> (Socket.IO) or the hub (SignalR).</summary>
    public abstract Task ConnectAsync(Uri server, string nsp, CancellationToken cancellationToken);

    /// <summary>Sends an event; <paramref name="ackId"/> &gt;= 0 asks for an answer with that id.
    /// <paramref name="argsJson"/> is the JSON of the arguments, comma-separated, without brackets.</summary>
    public abstract ValueTask EmitAsync(string ev, long ackId, string argsJson);

    protected static Uri WebSocketUri(Uri server, string pathAndQuery) =>
        new(new Uri(server.Scheme == "https" ? "wss://" + server.Authority : "ws://" + server.Authority), pathAndQuery);

    protected async ValueTask SendTextAsync(ReadOnlyMemory<byte> text)
    {
        await _sendLock.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            await Socket.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    protected ValueTask SendTextAsync(string text) => SendTextAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Reads one whole WebSocket message (bounded to 16 MB) during the handshake.</summary>
    protected async Task<ReadOnlyMemory<byte>> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (_buffer.Length >= 16 << 20)
                {
                    throw new InvalidOperationException("message over 16 MB");
                }

                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("closed by the server: " + Socket.CloseStatusDescription);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, length);
            }
        }
    }

    /// <summary>Starts the receive loop once the handshake is done.</summary>
    protected void StartReceiving() => _receiveLoop = Task.Run(ReceiveLoopAsync);

    /// <summary>Handles one whole message from the server.</summary>
    protected abstract ValueTask OnMessageAsync(ReadOnlyMemory<byte> message);

    /// <summary>Records the first reason the client stopped being served.</summary>
    protected void Fail(string reason) => Failure ??= reason;

    protected void Deliver(InboundKind kind, long ackId, string? name, ReadOnlyMemory<byte> message) =>
        Inbound?.Invoke(this, kind, ackId, name, message);

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var message = await ReceiveMessageAsync(_stop.Token).ConfigureAwait(false);
                await OnMessageAsync(message).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or IOException)
        {
            Failure ??= ex.Message;
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        Socket.Abort();
        Socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}

/// <summary>Socket.IO v5 over Engine.IO v4, WebSocket transport only, no upgrade.</summary>
internal sealed class SocketIOBenchClient(int index) : BenchClient(index)
{
    private static readonly byte[] Pong = "3"u8.ToArray();
    private byte[] _eventPrefix = [];
    private byte[] _ackPrefix = [];
    private byte[] _disconnect = [];

    public override async Task ConnectAsync(Uri server, string nsp, CancellationToken cancellationToken)
    {
        Socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        await Socket.ConnectAsync(WebSocketUri(server, "/socket.io/?EIO=4&transport=websocket"), cancellationToken).ConfigureAwait(false);
        var open = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
        if (open.Length == 0 || open.Span[0] != (byte)'0')
        {
            throw new InvalidOperationException("expected an Engine.IO OPEN, got " + Encoding.UTF8.GetString(open.Span));
        }

        var prefix = nsp == "/" ? string.Empty : nsp + ",";
        _eventPrefix = Encoding.UTF8.GetBytes("42" + prefix);
        _ackPrefix = Encoding.UTF8.GetBytes("43" + prefix);
        _disconnect = Encoding.UTF8.GetBytes("41" + prefix);
        await SendTextAsync("40" + prefix).ConfigureAwait(false);
        while (true)
        {
            var reply = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
            var text = reply.Span;
            if (text.SequenceEqual("2"u8))
            {
                await SendTextAsync(Pong).ConfigureAwait(false);
                continue;
            }

            if (text.StartsWith(Encoding.UTF8.GetBytes("40" + prefix)))
            {
                break;
            }

            if (text.StartsWith(Encoding.UTF8.GetBytes("44" + prefix)))
            {
                throw new InvalidOperationException("CONNECT_ERROR " + Encoding.UTF8.GetString(text));
            }

            // Anything else before the CONNECT answer (none expected) is ignored.
        }

        StartReceiving();
    }

    public override ValueTask EmitAsync(string ev, long ackId, string argsJson)
    {
        var id = ackId >= 0 ? ackId.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
        var tail = Encoding.UTF8.GetBytes(id + "[\"" + ev + "\"" + (argsJson.Length > 0 ? "," + argsJson : string.Empty) + "]");
        var frame = new byte[_eventPrefix.Length + tail.Length];
        _eventPrefix.CopyTo(frame, 0);
        tail.CopyTo(frame, _eventPrefix.Length);
        return SendTextAsync(frame);
    }

    protected override async ValueTask OnMessageAsync(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (span.Length == 1 && span[0] == (byte)'2')
        {
            await SendTextAsync(Pong).ConfigureAwait(false);
            return;
        }

        if (span.StartsWith(_ackPrefix))
        {
            var rest = span[_ackPrefix.Length..];
            long id = 0;
            var i = 0;
            while (i < rest.Length && rest[i] is >= (byte)'0' and <= (byte)'9')
            {
                id = (id * 10) + (rest[i] - '0');
                i++;
            }

            Deliver(InboundKind.Ack, i == 0 ? -1 : id, null, message);
        }
        else if (span.StartsWith(_eventPrefix))
        {
            var rest = span[_eventPrefix.Length..];
            var start = rest.IndexOf((byte)'"');
            var end = start < 0 ? -1 : rest[(start + 1)..].IndexOf((byte)'"');
            var name = end < 0 ? null : Encoding.UTF8.GetString(rest.Slice(start + 1, end));
            Deliver(InboundKind.Event, -1, name, message);
        }
        else if (span.StartsWith(_disconnect))
        {
            // A Socket.IO DISCONNECT: the server let go of the client's namespace (the WebSocket stays open).
            Fail("disconnected by the server");
        }
    }
}

/// <summary>SignalR's JSON hub protocol over WebSocket, without negotiation (skipNegotiation).</summary>
internal sealed class SignalRBenchClient(int index) : BenchClient(index)
{
    private static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();
    private Timer? _pinger;

    public override async Task ConnectAsync(Uri server, string nsp, CancellationToken cancellationToken)
    {
        Socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        await Socket.ConnectAsync(WebSocketUri(server, nsp), cancellationToken).ConfigureAwait(false);
        await SendTextAsync("{\"protocol\":\"json\",\"version\":1}\u001e").ConfigureAwait(false);
        var reply = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
        if (!reply.Span.StartsWith("{}"u8) && !reply.Span.StartsWith("{}\u001e"u8))
        {
            throw new InvalidOperationException("SignalR handshake failed: " + Encoding.UTF8.GetString(reply.Span));
        }

        // The rest of that message (if the server batched more) is ignored: nothing is expected yet.
        _pinger = new Timer(_ => _ = SendPingAsync(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        StartReceiving();
    }

    public override ValueTask EmitAsync(string ev, long ackId, string argsJson)
    {
        var target = char.ToUpperInvariant(ev[0]) + ev[1..];
        var id = ackId >= 0 ? "\"invocationId\":\"" + ackId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"," : string.Empty;
        return SendTextAsync("{\"type\":1," + id + "\"target\":\"" + target + "\",\"arguments\":[" + argsJson + "]}\u001e");
    }

    protected override ValueTask OnMessageAsync(ReadOnlyMemory<byte> message)
    {
        var rest = message;
        while (rest.Length > 0)
        {
            var end = rest.Span.IndexOf((byte)0x1e);
            var one = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            var span = one.Span;
            if (span.StartsWith("{\"type\":3"u8))
            {
                Deliver(InboundKind.Ack, ReadQuotedNumber(span, "\"invocationId\":\""u8), null, one);
            }
            else if (span.StartsWith("{\"type\":1"u8))
            {
                var at = span.IndexOf("\"target\":\""u8);
                string? name = null;
                if (at >= 0)
                {
                    var from = span[(at + 10)..];
                    var close = from.IndexOf((byte)'"');
                    name = close < 0 ? null : Encoding.UTF8.GetString(from[..close]);
                }

                Deliver(InboundKind.Event, -1, name, one);
            }
        }

        return ValueTask.CompletedTask;
    }

    private static long ReadQuotedNumber(ReadOnlySpan<byte> span, ReadOnlySpan<byte> key)
    {
        var at = span.IndexOf(key);
        if (at < 0)
        {
            return -1;
        }

        long id = 0;
        var digits = 0;
        for (var i = at + key.Length; i < span.Length && span[i] is >= (byte)'0' and <= (byte)'9'; i++, digits++)
        {
            id = (id * 10) + (span[i] - '0');
        }

        return digits == 0 ? -1 : id;
    }

    private async Task SendPingAsync()
    {
        try
        {
            await SendTextAsync(Ping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The receive loop reports a broken connection.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_pinger is not null)
        {
            await _pinger.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
