using System.Collections.Concurrent;
using System.Security.Cryptography;
using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// The sockets of one namespace that lost their client and wait to be recovered. A waiting socket
/// keeps everything (handlers, rooms, data) in memory, and a small hash in Redis
/// (<see cref="RecoveryKeys.Session"/>: pid, offset, rooms, data; TTL the longest disconnection).
/// Its disconnect handlers run only when it is not recovered in time.
/// </summary>
internal sealed class RecoverySessions(BackendNamespace nsp, RecoveryLog log)
{
    /// <summary>The disconnect reasons after which socket.io keeps the session (RECOVERABLE_DISCONNECT_REASONS).</summary>
    private static readonly HashSet<string> RecoverableReasons = new(StringComparer.Ordinal)
    {
        "transport error", "transport close", "forced close", "ping timeout", "server shutting down", "forced server close",
    };

    private readonly ConcurrentDictionary<string, Waiting> _waiting = new(StringComparer.Ordinal);

    public RecoveryLog Log => log;

    public RecoveryStatistics Statistics { get; } = new();

    /// <summary>Sockets waiting now.</summary>
    public int Count => _waiting.Count;

    private SocketIOBackend Backend => nsp.Backend;

    public static bool IsRecoverable(string reason) => RecoverableReasons.Contains(reason);

    /// <summary>A fresh private id: <c>&lt;socketId&gt;~&lt;backendId&gt;~&lt;secret&gt;</c>, so any distributor can route the recovery to the backend that holds the session.</summary>
    public string NewPid(string socketId)
    {
        Span<byte> secret = stackalloc byte[12];
        RandomNumberGenerator.Fill(secret);
        return $"{socketId}~{Backend.Id}~{Convert.ToBase64String(secret).Replace('+', '-').Replace('/', '_')}";
    }

    /// <summary>Makes the socket wait for its client (runs on the socket's queue).</summary>
    public void Hold(BackendSocket socket, string reason, string distributorId)
    {
        if (!socket.IsOpen || socket.DistributorId != distributorId)
        {
            // Recovered elsewhere before this disconnection was handled.
            socket.CancelLeaving();
            return;
        }

        Backend.ForgetSocket(socket);
        nsp.Remove(socket);
        var waiting = new Waiting(socket, reason);
        _waiting[socket.Id] = waiting;
        waiting.Expiry = Backend.Time.CreateTimer(static state => ((Waiting)state!).Owner!.Expire((Waiting)state!), waiting, log.Options.MaxDisconnectionDuration, Timeout.InfiniteTimeSpan);
        waiting.Owner = this;
        Statistics.OnHeld();
        RecoveryEvents.SessionHeld(Backend.Logger, socket.Id, nsp.Name, reason, log.Options.MaxDisconnectionDuration.TotalSeconds);
        Persist(socket);
    }

    /// <summary>Takes a waiting socket back (for a recovery); false if it is not waiting (any more).</summary>
    public bool TryTake(BackendSocket socket, out string reason)
    {
        if (_waiting.TryGetValue(socket.Id, out var waiting) && waiting.Socket == socket && _waiting.TryRemove(new KeyValuePair<string, Waiting>(socket.Id, waiting)))
        {
            waiting.Expiry?.Dispose();
            reason = waiting.Reason;
            Forget(socket.Id);
            return true;
        }

        reason = string.Empty;
        return false;
    }

    /// <summary>The waiting socket with that id, if any.</summary>
    public BackendSocket? Find(string socketId) => _waiting.TryGetValue(socketId, out var waiting) ? waiting.Socket : null;

    /// <summary>The backend stops: waiting sockets are forgotten with the rest (their sessions stay in Redis until their TTL).</summary>
    public void Clear()
    {
        foreach (var waiting in _waiting.Values)
        {
            waiting.Expiry?.Dispose();
        }

        _waiting.Clear();
    }

    /// <summary>Drops the session's hash.</summary>
    public void Forget(string socketId)
    {
        try
        {
            Backend.Bus.Database.KeyDelete(RecoveryKeys.Session(Backend.Options.Bus.ChannelPrefix, nsp.Name, socketId), CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // It expires by itself.
        }
    }

    private void Expire(Waiting waiting)
    {
        if (_waiting.TryRemove(new KeyValuePair<string, Waiting>(waiting.Socket.Id, waiting)))
        {
            waiting.Expiry?.Dispose();
            Statistics.OnExpired();
            Forget(waiting.Socket.Id);
            waiting.Socket.DisconnectNow(waiting.Reason);
        }
    }

    private void Persist(BackendSocket socket)
    {
        try
        {
            var key = RecoveryKeys.Session(Backend.Options.Bus.ChannelPrefix, nsp.Name, socket.Id);
            byte[] data;
            try
            {
                data = Backend.Codec.SerializeValue(new Dictionary<string, object?>(socket.Data, StringComparer.Ordinal));
            }
            catch (Exception ex) when (ex is NotSupportedException or System.Text.Json.JsonException or InvalidOperationException)
            {
                // Data that JSON cannot hold stays in memory only (a recovery on this backend keeps it).
                data = "{}"u8.ToArray();
            }

            var db = Backend.Bus.Database;
            db.HashSet(
                key,
                [
                    new HashEntry("pid", socket.Pid),
                    new HashEntry("offset", socket.ConnectOffset),
                    new HashEntry("rooms", string.Join('\n', socket.Rooms)),
                    new HashEntry("data", data),
                    new HashEntry("backend", Backend.Id),
                ],
                CommandFlags.FireAndForget);
            db.KeyExpire(key, log.Options.MaxDisconnectionDuration, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            RecoveryEvents.SessionWriteFailed(Backend.Logger, ex, socket.Id, nsp.Name);
        }
    }

    private sealed class Waiting(BackendSocket socket, string reason)
    {
        public BackendSocket Socket { get; } = socket;

        public string Reason { get; } = reason;

        public ITimer? Expiry { get; set; }

        public RecoverySessions? Owner { get; set; }
    }
}

/// <summary>Counts of connection state recovery in one namespace of this backend.</summary>
public sealed class RecoveryStatistics
{
    private long _held;
    private long _restored;
    private long _refused;
    private long _expired;

    /// <summary>Sockets whose client left and that waited to be recovered.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Sockets recovered (same id, rooms and data; missed events replayed).</summary>
    public long Restored => Interlocked.Read(ref _restored);

    /// <summary>Recoveries refused because the replay log no longer held what the client missed (it connected as a new socket).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Sockets not recovered in time: their disconnect handlers ran.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    internal void OnHeld() => Interlocked.Increment(ref _held);

    internal void OnRestored() => Interlocked.Increment(ref _restored);

    internal void OnRefused() => Interlocked.Increment(ref _refused);

    internal void OnExpired() => Interlocked.Increment(ref _expired);
}
