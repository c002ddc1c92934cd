using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.Wire;

/// <summary>
/// A raw WebSocket for wire tests: a background loop reads every message into a queue, so a test
/// awaits the next frame (with a timeout) or the close. With <c>autoPong</c> on, Engine.IO v4 pings
/// (<c>"2"</c>) are answered with <c>"3"</c> and never queued, so slow machines do not hit the ping timeout.
/// </summary>
internal sealed class WireWebSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<WireFrame> _frames = Channel.CreateUnbounded<WireFrame>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _autoPong;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _pump;

    private WireWebSocket(ClientWebSocket socket, bool autoPong)
    {
        _socket = socket;
        _autoPong = autoPong;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Why the connection ended, once it has (close frame status or the exception).</summary>
    public string? CloseReason { get; private set; }

    /// <summary>True once the server closed or dropped the connection.</summary>
    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Opens a WebSocket to <paramref name="uri"/>; throws <see cref="WebSocketException"/> if the server refuses the upgrade.</summary>
    public static async Task<WireWebSocket> ConnectAsync(Uri uri, bool autoPong = true)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WithTimeout($"WebSocket connect to {uri}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new WireWebSocket(socket, autoPong);
    }

    /// <summary>
    /// Asserts that the server refuses a WebSocket at <paramref name="uri"/>: either the upgrade fails
    /// (returns the HTTP status, 400 expected) or the socket is closed right after opening (returns null).
    /// </summary>
    public static async Task<HttpStatusCode?> AssertRefusedAsync(Uri uri, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WithTimeout($"WebSocket connect to {uri}");
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }

        await using var opened = new WireWebSocket(socket, autoPong: false);
        await opened.WaitForCloseAsync();
        return null;
    }

    public Task SendTextAsync(string text) =>
        SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendBinaryAsync(params byte[] data) => SendAsync(data, WebSocketMessageType.Binary);

    /// <summary>The next frame; fails the test if none arrives in time or the connection closes first.</summary>
    public async Task<WireFrame> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        try
        {
            return await _frames.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException("Timed out waiting for a WebSocket frame.");
        }
        catch (ChannelClosedException)
        {
            throw new Xunit.Sdk.XunitException($"The WebSocket closed while a frame was expected ({CloseReason}).");
        }
    }

    /// <summary>The next frame, which must be text.</summary>
    public async Task<string> ReceiveTextAsync()
    {
        var frame = await ReceiveAsync();
        Assert.True(frame.IsText, $"Expected a text frame, got {frame}.");
        return frame.Text!;
    }

    /// <summary>The next frame, which must be binary.</summary>
    public async Task<byte[]> ReceiveBinaryAsync()
    {
        var frame = await ReceiveAsync();
        Assert.False(frame.IsText, $"Expected a binary frame, got {frame}.");
        return frame.Binary!;
    }

    /// <summary>The next frame that is not an Engine.IO v4 ping (<c>"2"</c>), which is dropped unanswered.</summary>
    public async Task<WireFrame> ReceiveSkippingPingsAsync()
    {
        while (true)
        {
            var frame = await ReceiveAsync();
            if (frame.Text != "2")
            {
                return frame;
            }
        }
    }

    /// <summary>Waits until the server closes or drops the connection, whatever frames arrive meanwhile.</summary>
    public async Task WaitForCloseAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _closed.Task.WaitAsync(timeout ?? Eventually.DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException("Timed out waiting for the server to close the WebSocket.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private async Task SendAsync(byte[] data, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(data, type, endOfMessage: true, CancellationToken.None).WithTimeout("WebSocket send");
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseReason = $"close frame {result.CloseStatus} {result.CloseStatusDescription}";
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.ToArray();
                message.SetLength(0);
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    var text = Encoding.UTF8.GetString(bytes);
                    if (_autoPong && text == "2")
                    {
                        await SendTextAsync("3");
                        continue;
                    }

                    _frames.Writer.TryWrite(new WireFrame(text, null));
                }
                else
                {
                    _frames.Writer.TryWrite(new WireFrame(null, bytes));
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            CloseReason ??= $"connection ended: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            _frames.Writer.TryComplete();
            _closed.TrySetResult();
        }
    }
}
