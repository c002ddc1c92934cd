using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace SocketIO.Distributor.Bench.Floor;

/// <summary>The connections joined to /bench and their rooms; a broadcast builds its frame once and sends it to each.</summary>
internal sealed class FloorServer
{
    private readonly ConcurrentDictionary<FloorConnection, byte> _all = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<FloorConnection, byte>> _rooms = new();
    private long _nextId;

    /// <summary>Accepts connections on <paramref name="listener"/> until it closes; each is served on its own.</summary>
    public async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            var socket = await listener.AcceptAsync().ConfigureAwait(false);
            socket.NoDelay = true;
            var connection = new FloorConnection(this, socket, Interlocked.Increment(ref _nextId));
            _ = Task.Run(connection.RunAsync);
        }
    }

    public void Joined(FloorConnection connection) => _all.TryAdd(connection, 0);

    public void Join(FloorConnection connection, string room) =>
        _rooms.GetOrAdd(room, static _ => new ConcurrentDictionary<FloorConnection, byte>()).TryAdd(connection, 0);

    public void Left(FloorConnection connection)
    {
        _all.TryRemove(connection, out _);
        foreach (var room in _rooms.Values)
        {
            room.TryRemove(connection, out _);
        }
    }

    /// <summary>Sends <c>42/bench,["tick",payload]</c> to every connection of <paramref name="room"/> (all when empty).</summary>
    public void Broadcast(string room, ReadOnlySpan<byte> payloadJson)
    {
        var text = new byte[FloorConnection.EventPrefix.Length + TickHead.Length + payloadJson.Length + 1];
        FloorConnection.EventPrefix.CopyTo(text, 0);
        TickHead.CopyTo(text, FloorConnection.EventPrefix.Length);
        payloadJson.CopyTo(text.AsSpan(FloorConnection.EventPrefix.Length + TickHead.Length));
        text[^1] = (byte)']';
        var frame = WebSocketFrame.Text(text);
        var targets = room.Length == 0 ? _all : _rooms.GetValueOrDefault(room);
        if (targets is null)
        {
            return;
        }

        foreach (var (connection, _) in targets)
        {
            connection.Send(frame);
        }
    }

    private static readonly byte[] TickHead = Encoding.UTF8.GetBytes("[\"tick\",");
}
