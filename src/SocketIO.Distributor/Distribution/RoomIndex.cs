using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// The rooms of one namespace on this distributor: which local sockets are in which room. The
/// distributor subscribes to a room's channel when the room gets its first local member and
/// unsubscribes when it loses its last, so it receives only the broadcasts it has members for.
/// Every socket is also, implicitly, in the room named by its own id.
/// </summary>
internal sealed partial class RoomIndex(string nsp, RedisBus bus, Action<string, ReadOnlyMemory<byte>> onRoomMessage, ILogger logger)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    public int RoomCount
    {
        get
        {
            lock (_gate)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>Adds the socket to the rooms; completes when this distributor receives their broadcasts.</summary>
    public Task JoinAsync(RelaySocket socket, IEnumerable<string> rooms)
    {
        List<Task>? pending = null;
        lock (_gate)
        {
            if (socket.HasLeft)
            {
                // The socket disconnected while this join was on its way: joining now would pin it.
                return Task.CompletedTask;
            }

            foreach (var name in rooms)
            {
                if (!socket.Rooms.Add(name))
                {
                    continue;
                }

                if (!_rooms.TryGetValue(name, out var room))
                {
                    room = new Room(SubscribeAsync(name));
                    _rooms[name] = room;
                }

                room.Members.Add(socket);
                (pending ??= []).Add(room.Subscription);
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    /// <summary>Removes the socket from the rooms.</summary>
    public void Leave(RelaySocket socket, IEnumerable<string> rooms)
    {
        List<Room>? emptied = null;
        lock (_gate)
        {
            foreach (var name in rooms)
            {
                if (socket.Rooms.Remove(name) && _rooms.TryGetValue(name, out var room))
                {
                    room.Members.Remove(socket);
                    if (room.Members.Count == 0)
                    {
                        _rooms.Remove(name);
                        (emptied ??= []).Add(room);
                    }
                }
            }
        }

        if (emptied is not null)
        {
            foreach (var room in emptied)
            {
                _ = UnsubscribeAsync(room);
            }
        }
    }

    /// <summary>Removes the socket from all its rooms (it disconnected).</summary>
    public void LeaveAll(RelaySocket socket)
    {
        string[] rooms;
        lock (_gate)
        {
            socket.HasLeft = true;
            rooms = [.. socket.Rooms];
        }

        Leave(socket, rooms);
    }

    /// <summary>The local sockets in any of <paramref name="rooms"/> (a room may be a socket id).</summary>
    public HashSet<RelaySocket> MembersOfAny(IEnumerable<string> rooms, Func<string, RelaySocket?> findSocket)
    {
        var members = new HashSet<RelaySocket>();
        lock (_gate)
        {
            foreach (var name in rooms)
            {
                if (_rooms.TryGetValue(name, out var room))
                {
                    members.UnionWith(room.Members);
                }
                else if (findSocket(name) is { } socket)
                {
                    members.Add(socket);
                }
            }
        }

        return members;
    }

    /// <summary>True if the socket is in any of <paramref name="rooms"/> (its own id counts as a room).</summary>
    public bool IsInAny(RelaySocket socket, IReadOnlyCollection<string> rooms)
    {
        lock (_gate)
        {
            foreach (var name in rooms)
            {
                if (socket.Rooms.Contains(name) || name == socket.Id)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The socket's rooms (a copy).</summary>
    public string[] RoomsOf(RelaySocket socket)
    {
        lock (_gate)
        {
            return [.. socket.Rooms];
        }
    }

    private async Task<BusSubscription?> SubscribeAsync(string room)
    {
        try
        {
            var channel = bus.Channels.Room(nsp, room);
            return await bus.SubscribeAsync(channel, bytes => onRoomMessage(channel, bytes));
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            Log.SubscribeFailed(logger, ex, nsp, room);
            return null;
        }
    }

    private static async Task UnsubscribeAsync(Room room)
    {
        var subscription = await room.Subscription;
        if (subscription is not null)
        {
            await subscription.DisposeAsync();
        }
    }

    private sealed class Room(Task<BusSubscription?> subscription)
    {
        public Task<BusSubscription?> Subscription { get; } = subscription;

        public HashSet<RelaySocket> Members { get; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5301, Level = LogLevel.Error, Message = "Subscribing to room {Room} of {Namespace} failed; its broadcasts will not arrive here")]
        public static partial void SubscribeFailed(ILogger logger, Exception exception, string @namespace, string room);
    }
}
