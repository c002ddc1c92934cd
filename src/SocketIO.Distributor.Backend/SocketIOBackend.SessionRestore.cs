using System.Text.Json;
using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// Connection state recovery of a session whose backend replica is gone: another replica restores
/// it from its hash in Redis (<see cref="RecoveryKeys.Session"/>): same id, rooms and data, its
/// connection handlers run with <see cref="BackendSocket.Recovered"/> true (the replica that held its
/// handlers is gone), and the distributor replays what the client missed.
/// </summary>
public sealed partial class SocketIOBackend
{
    private async Task RestoreFromRedisAsync(BackendNamespace nsp, ConnectRequest request, string pid, string? clientOffset)
    {
        try
        {
            var key = RecoveryKeys.Session(Options.Bus.ChannelPrefix, nsp.Name, request.SocketId);
            var fields = (await Bus.Database.HashGetAllAsync(key).ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => e.Value, StringComparer.Ordinal);
            if (!fields.TryGetValue("pid", out var storedPid) || storedPid != pid
                || !fields.TryGetValue("backend", out var holder) || Membership.IsLive(holder!)
                || !fields.TryGetValue("offset", out var connectOffset))
            {
                // No such session, another secret, or its replica is alive and holds it: a new socket.
                RefuseRecovery(request);
                return;
            }

            var from = clientOffset is not null && RecoveryOffset.TryScore(clientOffset, out _) ? clientOffset : connectOffset.ToString();
            RecoveryOffset.TryScore(from, out var score);
            await Bus.Database.KeyDeleteAsync(key).ConfigureAwait(false);
            if (!await nsp.ReplayLog!.CoversAsync(score).ConfigureAwait(false))
            {
                nsp.Sessions!.Statistics.OnRefused();
                RecoveryEvents.RecoveryRefused(_logger, request.SocketId, nsp.Name, "the replay log no longer holds what it missed");
                RefuseRecovery(request);
                return;
            }

            var socket = new BackendSocket(this, nsp, request.SocketId, request.DistributorId, SocketHandshake.Parse(request.HandshakeJson), recovered: true);
            var rooms = fields.TryGetValue("rooms", out var stored) ? stored.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
            socket.ReplaceRooms(rooms);
            if (fields.TryGetValue("data", out var data) && !data.IsNullOrEmpty)
            {
                foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>((byte[])data!) ?? [])
                {
                    socket.Data[name] = value;
                }
            }

            socket.StartSession(pid, connectOffset.ToString());
            if (!_sockets.TryAdd(socket.Id, socket))
            {
                BackendLog.DuplicateSocket(_logger, socket.Id);
                return;
            }

            socket.Enqueue(() => nsp.ConnectRestoredAsync(socket, from), force: true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException or InvalidOperationException)
        {
            BackendLog.QueueItemFailed(_logger, ex, request.SocketId);
            RefuseRecovery(request);
        }
    }
}
