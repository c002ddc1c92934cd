using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.SocketIO;
using StackExchange.Redis;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Connection state recovery of the namespace: the backend that holds a session decides; this
/// distributor then joins the socket to its rooms, reads what it missed from the replay log in
/// pages, and writes that before the CONNECT packet.
/// </summary>
internal sealed partial class RelayNamespace
{
    private const int ReplayPage = 256;
    private const int MaxReplayPages = 1_000;

    private string? _replayLogKey;

    /// <summary>The replay log, in the hash slot of this namespace's channel (see <see cref="RecoveryKeys.ReplayLog"/>).</summary>
    private string ReplayLogKey => _replayLogKey ??= _distributor.Bus.ReplayLogKey(Name);

    /// <summary>The live backend that holds the session a recovering CONNECT names, if any.</summary>
    private MemberInfo? SessionBackend(ClientSocket socket)
    {
        if (!SessionPid.TryRead(socket.Auth, out var socketId, out var backendId) || socketId != socket.Id)
        {
            return null;
        }

        return _distributor.Membership.BackendsOf(Name).FirstOrDefault(b => b.Id == backendId && !_distributor.IsUnreachable(b.Id));
    }

    /// <summary>
    /// A refused recovery (session expired, trimmed or unknown): as socket.io does, the client gets a
    /// brand-new socket, with a new id (the pid in its auth then names another id, so the next request is
    /// a plain connect). False when the socket did not ask to recover under its id (nothing to renew).
    /// </summary>
    private bool RenewRefusedRecovery(ClientSocket socket)
    {
        if (!SessionPid.TryRead(socket.Auth, out var socketId, out _) || socketId != socket.Id)
        {
            return false;
        }

        socket.RenewId(_distributor.Server.NewSocketId());
        _distributor.Statistics.OnRecoveryRefused();
        return true;
    }

    /// <summary>An accepted socket with a session: a new one gets its pid; a restored one its rooms and missed events.</summary>
    private async Task<ConnectDecision> AcceptSessionAsync(RelaySocket relay, ConnectResult result)
    {
        if (!result.Restored)
        {
            return ConnectDecision.Accept with { Pid = result.Pid };
        }

        var rooms = new HashSet<string>(result.Rooms ?? [], StringComparer.Ordinal) { relay.Id };
        var join = rooms.Where(r => r != relay.Id).ToList();
        if (!relay.Id.StartsWith(_distributor.Id + ".", StringComparison.Ordinal))
        {
            // Its id names another distributor: what is sent to its id comes by the room of its id.
            join.Add(relay.Id);
        }

        // Joined first: from now on every live emit for the socket reaches it (held until CONNECT),
        // so what the log holds up to now, plus what arrives live, misses nothing.
        await Rooms.JoinAsync(relay, join);
        List<EngineFrame[]> missed;
        await _distributor.ReplayReads.WaitAsync();
        try
        {
            var (frames, offsets, upTo) = await ReadMissedAsync(result.ReplayFrom, rooms);
            relay.ExpectReplayed(offsets, upTo, _distributor.Time);
            missed = frames;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RecoveryLog.ReplayFailed(Logger, ex, relay.Id, Name);
            relay.RequestDisconnect(closeConnection: true);
            return ConnectDecision.Accept with { Pid = result.Pid };
        }
        finally
        {
            _distributor.ReplayReads.Release();
        }

        _distributor.Statistics.OnRecovered(missed.Count);
        RecoveryLog.Recovered(Logger, relay.Id, Name, missed.Count);
        return ConnectDecision.Accept with { Pid = result.Pid, Missed = missed };
    }

    /// <summary>The log's entries after <paramref name="from"/> that targeted the rooms, in order, read in pages.</summary>
    private async Task<(List<EngineFrame[]> Frames, HashSet<string> Offsets, long UpTo)> ReadMissedAsync(string from, IReadOnlySet<string> rooms)
    {
        var db = _distributor.Bus.Database;
        var key = ReplayLogKey;
        RecoveryOffset.TryScore(from, out var start);
        var upTo = start;
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var missed = new List<EngineFrame[]>();
        var exclude = Exclude.None;
        for (var pages = 0; pages < MaxReplayPages; pages++)
        {
            var page = await ReadPageAsync(db, key, start, exclude);
            var fresh = 0;
            foreach (var member in page)
            {
                if (BusMessageOrNull((byte[])member!) is not ReplayEntry entry || !seen.Add(entry.Offset))
                {
                    continue;
                }

                fresh++;
                if (RecoveryOffset.TryScore(entry.Offset, out var score))
                {
                    start = score;
                    upTo = Math.Max(upTo, score);
                }

                if (entry.Targets(rooms))
                {
                    missed.Add(entry.Frames as EngineFrame[] ?? [.. entry.Frames]);
                }
            }

            if (page.Length < ReplayPage)
            {
                break;
            }

            // A page of entries all seen (one score shared by many): step past that score.
            exclude = fresh == 0 ? Exclude.Start : Exclude.None;
        }

        return (missed, seen, upTo);
    }

    /// <summary>One page of the log; a timeout (a busy Redis) is tried again twice before it counts.</summary>
    private static async Task<RedisValue[]> ReadPageAsync(IDatabase db, string key, double start, Exclude exclude)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await db.SortedSetRangeByScoreAsync(key, start, double.PositiveInfinity, exclude, Order.Ascending, 0, ReplayPage);
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // Try again.
            }
        }
    }

    private static IBusMessage? BusMessageOrNull(byte[] bytes)
    {
        try
        {
            return BusMessage.Decode(bytes);
        }
        catch (BusFormatException)
        {
            return null;
        }
    }

    private static partial class RecoveryLog
    {
        [LoggerMessage(EventId = 5110, Level = LogLevel.Debug, Message = "Socket {SocketId} of {Namespace} recovered here; {Missed} missed event(s) written before CONNECT")]
        public static partial void Recovered(ILogger logger, string socketId, string @namespace, int missed);

        [LoggerMessage(EventId = 5111, Level = LogLevel.Warning, Message = "Could not read the replay log for socket {SocketId} of {Namespace}: its connection is closed so that it recovers again")]
        public static partial void ReplayFailed(ILogger logger, Exception exception, string socketId, string @namespace);
    }
}
