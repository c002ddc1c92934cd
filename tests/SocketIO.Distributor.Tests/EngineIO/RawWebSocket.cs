using System.Net.Sockets;
using System.Text;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Tests.EngineIO;

/// <summary>
/// A WebSocket client on a bare TCP socket with a tiny receive buffer, that reads only when told to:
/// the slow client of the connection-close tests. It can tell, without reading, that the server reset
/// the connection (the socket's pending error is ECONNRESET).
/// </summary>
internal sealed class RawWebSocket : IDisposable
{
    private readonly Socket _socket;

    // The kernel hands a socket's pending error out once (reading SO_ERROR, or a send that fails with it, clears
    // it), so a reset seen once is remembered here.
    private bool _reset;

    private RawWebSocket(Socket socket) => _socket = socket;

    /// <summary>Connects and completes the WebSocket handshake for <paramref name="uri"/>; reads nothing after it.</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri uri)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
        await socket.ConnectAsync(uri.Host, uri.Port).WithTimeout("TCP connect");
        var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));

        // Read the response headers byte by byte so that no frame after them is consumed.
        var headers = new StringBuilder();
        var one = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(one, SocketFlags.None).WithTimeout("WebSocket handshake response");
            if (read == 0)
            {
                throw new Xunit.Sdk.XunitException($"The server closed during the handshake: {headers}");
            }

            headers.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", headers.ToString(), StringComparison.Ordinal);
        return new RawWebSocket(socket);
    }

    /// <summary>Sends one text message (a masked frame, as clients must; the mask is zero).</summary>
    public Task SendTextAsync(string text) => SendFrameAsync(0x1, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Sends one frame as it is given: FIN set, <paramref name="opcode"/>, masked with a zero mask. A send the
    /// server's reset fails throws, and <see cref="WasReset"/> is true from then on.
    /// </summary>
    public async Task SendFrameAsync(int opcode, byte[] payload)
    {
        using var frame = new MemoryStream();
        frame.WriteByte((byte)(0x80 | opcode));
        if (payload.Length < 126)
        {
            frame.WriteByte((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.WriteByte(0x80 | 126);
            frame.WriteByte((byte)(payload.Length >> 8));
            frame.WriteByte((byte)payload.Length);
        }
        else
        {
            frame.WriteByte(0x80 | 127);
            for (var shift = 56; shift >= 0; shift -= 8)
            {
                frame.WriteByte((byte)((long)payload.Length >> shift));
            }
        }

        frame.Write([0, 0, 0, 0]);
        frame.Write(payload);
        try
        {
            await _socket.SendAsync(frame.ToArray(), SocketFlags.None).WithTimeout("raw WebSocket send");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            _reset = true;
            throw;
        }
    }

    /// <summary>Reads the server's next frame (unmasked, as servers send them): its opcode and payload.</summary>
    public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync()
    {
        var head = await ReadExactlyAsync(2);
        long length = head[1] & 0x7F;
        if (length >= 126)
        {
            var extended = await ReadExactlyAsync(length == 126 ? 2 : 8);
            length = extended.Aggregate(0L, (value, b) => (value << 8) | b);
        }

        return (head[0] & 0x0F, await ReadExactlyAsync((int)length));
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WithTimeout("raw WebSocket read");
            if (n == 0)
            {
                throw new Xunit.Sdk.XunitException("The server ended the connection inside a frame.");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>True once the server reset the connection (read without consuming any data), and from then on.</summary>
    public bool WasReset => _reset
        || (_reset = (SocketError)(int)_socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)! is SocketError.ConnectionReset);

    /// <summary>
    /// Reads until the connection ends; returns true if it did (end of stream or reset) within
    /// <paramref name="timeout"/>, false if the server still held it open.
    /// </summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout)
    {
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
