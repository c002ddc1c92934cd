using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Liveness on Redis's clock. Each heartbeat (every <see cref="BusOptions.HeartbeatInterval"/>)
/// refreshes this process's alive key (<c>SET {prefix}:alive:{kind}:{id} PX MemberTimeout XX</c>) and
/// its info in the members hash (the index); a member whose alive key is gone is dead: its entry is
/// removed and <see cref="MemberDown"/> fires. No host compares its clock with another's.
/// <para>
/// A missing key is not always a death: after a Redis restart every key is gone. So after a Redis
/// reconnect, or when a heartbeat finds this process's own key gone (Redis restarted or was flushed,
/// or this process was paused or cut off long enough to be declared dead), it re-registers at once,
/// raises <see cref="Rejoined"/> (its owner reconciles with the others), and for two
/// <see cref="BusOptions.MemberTimeout"/>s acts on no one's absence (a grace period in which everyone
/// re-registers: two, as processes reconnect at different moments); <see cref="GraceEnded"/> follows.
/// A departure announced with <see cref="MemberLeaving"/> counts at once, grace or not. Every command
/// touches one key (Redis Cluster friendly).
/// </para>
/// </summary>
public sealed partial class ClusterMembership : IAsyncDisposable
{
    private readonly RedisBus _bus;
    private readonly Func<MemberInfo> _describe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _beating = new(1, 1);
    private Dictionary<string, MemberInfo> _live = new(StringComparer.Ordinal);
    // Members that announced their departure, with the StartedAt of the run that left: a later run
    // with the same id (a restart with a configured id) is a new member and is not ignored.
    private readonly Dictionary<string, long> _departed = new(StringComparer.Ordinal);
    private Task? _refreshing;
    private Task? _loop;
    private Task? _rejoin;
    private bool _registered;
    private long _graceUntil;
    private int _graceEndPending;

    /// <summary>Creates the membership of one process.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="describe">Describes this process now (called at each heartbeat).</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    public ClusterMembership(RedisBus bus, Func<MemberInfo> describe, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _bus = bus;
        _describe = describe;
        _time = time;
        _logger = logger;
        _bus.ConnectionRestored += OnBusRestored;
    }

    /// <summary>A member was found dead or announced its departure.</summary>
    public event Action<MemberInfo>? MemberDown;

    /// <summary>A member appeared.</summary>
    public event Action<MemberInfo>? MemberUp;

    /// <summary>
    /// The view was re-read: the live members, and the <see cref="TimeProvider.GetTimestamp"/> taken
    /// just before reading. Anything registered before that moment by a member not in the view belongs
    /// to a dead member, even one that lived and died between two refreshes (which
    /// <see cref="MemberDown"/> cannot report). During a grace period the view keeps every member it had.
    /// </summary>
    public event Action<IReadOnlyCollection<MemberInfo>, long>? Refreshed;

    /// <summary>
    /// This process re-registered after a Redis reconnect or after finding its alive key gone (the
    /// argument says which): the others may have lost messages or declared it dead, so its owner
    /// reconciles. Raised on the heartbeat loop or a reconnect; handlers must not block.
    /// </summary>
    public event Action<string>? Rejoined;

    /// <summary>The grace period that followed a <see cref="Rejoined"/> is over: a second chance to reconcile with every member that re-registered meanwhile.</summary>
    public event Action? GraceEnded;

    /// <summary>True while absences are not acted on: during a Redis outage and two member timeouts after it, or after this process found its own key gone.</summary>
    public bool InGrace => !_bus.IsConnected || _time.GetTimestamp() < Interlocked.Read(ref _graceUntil);

    /// <summary>The live members, as of the last check.</summary>
    public IReadOnlyCollection<MemberInfo> Live
    {
        get
        {
            lock (_gate)
            {
                return [.. _live.Values];
            }
        }
    }

    /// <summary>The live backends serving <paramref name="nsp"/>.</summary>
    /// <param name="nsp">The namespace.</param>
    /// <returns>The backends.</returns>
    public IReadOnlyList<MemberInfo> BackendsOf(string nsp)
    {
        lock (_gate)
        {
            return [.. _live.Values.Where(m => m.Kind == MemberKind.Backend && m.Namespaces.Contains(nsp))];
        }
    }

    /// <summary>The live distributors serving <paramref name="nsp"/>.</summary>
    /// <param name="nsp">The namespace.</param>
    /// <returns>The distributors.</returns>
    public IReadOnlyList<MemberInfo> DistributorsOf(string nsp)
    {
        lock (_gate)
        {
            return [.. _live.Values.Where(m => m.Kind == MemberKind.Distributor && m.Namespaces.Contains(nsp))];
        }
    }

    /// <summary>The live member <paramref name="id"/>, as of the last check; null if it is not live.</summary>
    /// <param name="id">The member id.</param>
    /// <returns>Its entry, or null.</returns>
    public MemberInfo? Find(string id)
    {
        lock (_gate)
        {
            return _live.GetValueOrDefault(id);
        }
    }

    /// <summary>True if <paramref name="id"/> is a live member.</summary>
    /// <param name="id">The member id.</param>
    /// <returns>True if live.</returns>
    public bool IsLive(string id)
    {
        lock (_gate)
        {
            return _live.ContainsKey(id);
        }
    }

    /// <summary>Writes this process's entry and alive key, reads the others, and starts the heartbeat.</summary>
    /// <returns>A task that completes once the first round is done.</returns>
    public async Task StartAsync()
    {
        await BeatAsync();
        await RefreshAsync();
        _loop = RunAsync(_stopping.Token);
    }

    /// <summary>Re-reads the members hash now (also done at each heartbeat).</summary>
    /// <returns>A task that completes when the view is updated.</returns>
    public Task RefreshAsync()
    {
        // One refresh at a time: callers that arrive meanwhile share the one in flight, so an older
        // read never overwrites a newer view and events do not fire twice.
        lock (_gate)
        {
            if (_refreshing is { IsCompleted: false } running)
            {
                return running;
            }

            _refreshing = RefreshCoreAsync();
            return _refreshing;
        }
    }

    private async Task RefreshCoreAsync()
    {
        await Task.Yield();
        var startedAt = _time.GetTimestamp();
        var epoch = _bus.ConnectionEpoch;
        var self = _describe();
        var (alive, dead) = await ReadAliveAsync(_bus, _logger, _time);

        // Judged after the read: a read that started before an outage was noticed may have been answered
        // by the restarted, empty Redis.
        var grace = InGrace || _bus.ConnectionEpoch != epoch;
        var found = new Dictionary<string, MemberInfo>(StringComparer.Ordinal);
        foreach (var member in alive)
        {
            found[member.Id] = member;
        }

        if (dead.Exists(m => m.Id == self.Id) || !found.ContainsKey(self.Id))
        {
            // Our own key is gone (Redis restarted or was flushed, or we were declared dead): whatever
            // else is missing may be missing for the same reason. The next beat re-registers.
            BeginGrace();
            grace = true;
        }

        if (!grace)
        {
            foreach (var member in dead)
            {
                await _bus.Database.HashDeleteAsync(_bus.Channels.Members(member.Kind), member.Id);
            }
        }

        List<MemberInfo> up;
        List<MemberInfo> down;
        lock (_gate)
        {
            // An entry that says it is draining is a departure, even before (or without) its announcement.
            var leaving = NoteLeavingEntries(found, self.Id);
            foreach (var (id, leftRunStartedAt) in _departed.ToList())
            {
                if (!found.TryGetValue(id, out var again) && !dead.Exists(d => d.Id == id))
                {
                    // Its entry is gone from the hash: nothing left to ignore.
                    _departed.Remove(id);
                }
                else if (again is not null && again.StartedAt <= leftRunStartedAt)
                {
                    found.Remove(id);
                }
            }

            if (grace)
            {
                // Absence proves nothing now: keep every member we had (departures excepted).
                foreach (var (id, member) in _live)
                {
                    if (!found.ContainsKey(id) && !_departed.ContainsKey(id))
                    {
                        found[id] = member;
                    }
                }
            }

            up = [.. found.Values.Where(m => !_live.ContainsKey(m.Id))];
            down = [.. _live.Values.Where(m => !found.ContainsKey(m.Id)).Select(m => leaving.GetValueOrDefault(m.Id) ?? m)];
            _live = found;
        }

        foreach (var member in up)
        {
            Log.MemberUp(_logger, member.Kind, member.Id);
            Raise(MemberUp, member);
        }

        foreach (var member in down)
        {
            Log.MemberDown(_logger, member.Kind, member.Id);
            Raise(MemberDown, member);
        }

        var view = (IReadOnlyCollection<MemberInfo>)[.. found.Values];
        foreach (var handler in Refreshed?.GetInvocationList().Cast<Action<IReadOnlyCollection<MemberInfo>, long>>() ?? [])
        {
            try
            {
                handler(view, startedAt);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, ex, nameof(Refreshed));
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        _stopping.Dispose();
    }

    private async Task StopLoopAsync()
    {
        _bus.ConnectionRestored -= OnBusRestored;
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        if (_loop is not null)
        {
            await _loop;
        }

        if (_rejoin is not null)
        {
            await _rejoin;
        }
    }

    /// <summary>
    /// Refreshes the alive key and the entry; returns true if the alive key was gone (and is now set again).
    /// One at a time: a beat that described this process before a change (its departure) must not write
    /// its entry after the beat that describes it after.
    /// </summary>
    private async Task<bool> BeatAsync()
    {
        await _beating.WaitAsync();
        try
        {
            return await BeatOnceAsync();
        }
        finally
        {
            _beating.Release();
        }
    }

    private async Task<bool> BeatOnceAsync()
    {
        var self = _describe() with
        {
            ExpiresAt = _time.GetUtcNow().Add(_bus.Options.MemberTimeout).ToUnixTimeMilliseconds(),
            HasAliveKey = true,
            Leaving = IsLeaving,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(self, MemberInfoJsonContext.Default.MemberInfo);
        var db = _bus.Database;
        var key = _bus.Channels.Alive(self.Kind, self.Id);
        // The alive key goes first, the entry right behind it on the same connection: a reader that sees
        // the entry (HGETALL, then EXISTS of each key) must find the key, or it judges the newcomer dead
        // and deletes its entry (a restarted distributor's first clients were disconnected that way).
        var refreshed = db.StringSetAsync(key, self.StartedAt, _bus.Options.MemberTimeout, _registered ? When.Exists : When.Always);
        var entry = db.HashSetAsync(_bus.Channels.Members(self.Kind), self.Id, json);
        if (await refreshed)
        {
            await entry;
            _registered = true;
            return false;
        }

        await entry;
        await db.StringSetAsync(key, self.StartedAt, _bus.Options.MemberTimeout, When.Always);

        // A reader may have deleted the entry while the key was missing: write it again behind the key.
        await db.HashSetAsync(_bus.Channels.Members(self.Kind), self.Id, json);
        return true;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_bus.Options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    if (await UnlessStopping(BeatAsync(), stopping))
                    {
                        BeginGrace();
                        Log.OwnKeyMissing(_logger, _bus.Options.MemberTimeout.TotalSeconds);
                        RaiseRejoined("its alive key was gone (Redis restarted or was flushed, or this process was declared dead while paused or cut off)");
                    }

                    await UnlessStopping(RefreshAsync(), stopping);
                    if (!InGrace && Interlocked.Exchange(ref _graceEndPending, 0) == 1)
                    {
                        Log.GraceOver(_logger);
                        Raise(GraceEnded);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // A timeout, a lost connection or a failing event handler must not stop the heartbeat.
                    Log.HeartbeatFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Starts (or extends) the grace period: two member timeouts from now. One would do if every
    /// process reconnected at the same moment; they do not (each retries on its own schedule), and a
    /// member that reconnects later needs its own beat to re-register before its absence may count.
    /// </summary>
    /// <summary>
    /// Awaits a Redis round trip unless stopping: during an outage a command waits in the library's
    /// backlog up to its timeout, and a stop must not wait for it (its outcome is observed regardless).
    /// </summary>
    private static async Task<T> UnlessStopping<T>(Task<T> work, CancellationToken stopping)
    {
        _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return await work.WaitAsync(stopping);
    }

    private static async Task UnlessStopping(Task work, CancellationToken stopping)
    {
        _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        await work.WaitAsync(stopping);
    }

    private void BeginGrace()
    {
        Interlocked.Exchange(ref _graceUntil, _time.GetTimestamp() + (long)(2 * _bus.Options.MemberTimeout.TotalSeconds * _time.TimestampFrequency));
        Interlocked.Exchange(ref _graceEndPending, 1);
    }

    /// <summary>Redis is back: re-register at once (the alive key may be gone with a restarted Redis) and reconcile.</summary>
    private void OnBusRestored()
    {
        BeginGrace();
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested || _rejoin is { IsCompleted: false })
            {
                return;
            }

            _rejoin = RejoinAsync(_stopping.Token);
        }
    }

    private async Task RejoinAsync(CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            stopping.ThrowIfCancellationRequested();
            _registered = false;
            await UnlessStopping(BeatAsync(), stopping);
            Log.Reregistered(_logger, _bus.Options.MemberTimeout.TotalSeconds);
            RaiseRejoined("Redis reconnected");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            // The next heartbeat registers again (its key-gone check catches it).
            Log.HeartbeatFailed(_logger, ex);
        }
    }

    private void RaiseRejoined(string reason)
    {
        foreach (var handler in Rejoined?.GetInvocationList().Cast<Action<string>>() ?? [])
        {
            try
            {
                handler(reason);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, ex, nameof(Rejoined));
            }
        }
    }

    private void Raise(Action<MemberInfo>? handlers, MemberInfo member)
    {
        foreach (var handler in handlers?.GetInvocationList().Cast<Action<MemberInfo>>() ?? [])
        {
            try
            {
                handler(member);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, ex, "MemberUp/MemberDown");
            }
        }
    }

    private void Raise(Action? handlers)
    {
        foreach (var handler in handlers?.GetInvocationList().Cast<Action>() ?? [])
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, ex, nameof(GraceEnded));
            }
        }
    }

    /// <summary>
    /// The registered members split into alive and dead: a member with an alive key is alive while the
    /// key exists (one <c>EXISTS</c> per member, pipelined); an older member without one is alive until
    /// its <see cref="MemberInfo.ExpiresAt"/>.
    /// </summary>
    /// <param name="bus">The bus.</param>
    /// <param name="logger">Where unreadable entries are logged.</param>
    /// <param name="time">The clock for entries of older members.</param>
    /// <returns>The alive and the dead members.</returns>
    public static async Task<(List<MemberInfo> Alive, List<MemberInfo> Dead)> ReadAliveAsync(RedisBus bus, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(time);
        var entries = await ReadEntriesAsync(bus, logger);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var checks = entries
            .Select(e => e.HasAliveKey ? bus.Database.KeyExistsAsync(bus.Channels.Alive(e.Kind, e.Id)) : Task.FromResult(e.ExpiresAt >= now))
            .ToList();
        await Task.WhenAll(checks);
        var alive = new List<MemberInfo>();
        var dead = new List<MemberInfo>();
        for (var i = 0; i < entries.Count; i++)
        {
            (checks[i].Result ? alive : dead).Add(entries[i]);
        }

        return (alive, dead);
    }

    /// <summary>
    /// Every entry of the members hashes, dead ones included (see <see cref="ReadAliveAsync"/>);
    /// unreadable entries are logged and skipped.
    /// </summary>
    /// <param name="bus">The bus.</param>
    /// <param name="logger">Where unreadable entries are logged.</param>
    /// <returns>The entries.</returns>
    public static async Task<IReadOnlyList<MemberInfo>> ReadEntriesAsync(RedisBus bus, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var members = new List<MemberInfo>();
        foreach (var kind in new[] { MemberKind.Distributor, MemberKind.Backend })
        {
            foreach (var entry in await bus.Database.HashGetAllAsync(bus.Channels.Members(kind)))
            {
                if (Parse(entry.Value, logger) is { } member)
                {
                    members.Add(member);
                }
            }
        }

        return members;
    }

    private static MemberInfo? Parse(RedisValue value, ILogger logger)
    {
        try
        {
            byte[]? bytes = value;
            return bytes is null ? null : JsonSerializer.Deserialize(bytes, MemberInfoJsonContext.Default.MemberInfo);
        }
        catch (JsonException ex)
        {
            Log.BadEntry(logger, ex);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "{Kind} {Id} is up")]
        public static partial void MemberUp(ILogger logger, MemberKind kind, string id);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "{Kind} {Id} is down")]
        public static partial void MemberDown(ILogger logger, MemberKind kind, string id);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Heartbeat to Redis failed; retrying at the next interval")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Ignored an unreadable entry in the members hash")]
        public static partial void BadEntry(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "This process's alive key was gone (Redis restarted or was flushed, or this process was declared dead while paused or cut off): registered again; no absence is acted on for 2 x {Seconds} s while the cluster reconciles")]
        public static partial void OwnKeyMissing(ILogger logger, double seconds);

        [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Redis reconnected: registered again; no absence is acted on for 2 x {Seconds} s while the cluster reconciles")]
        public static partial void Reregistered(ILogger logger, double seconds);

        [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "Membership grace period over: absences count again")]
        public static partial void GraceOver(ILogger logger);

        [LoggerMessage(EventId = 3108, Level = LogLevel.Warning, Message = "Could not announce that {Kind} {Id} leaves (Redis unreachable: {Reason}); the others will notice within {Seconds} s when its alive key expires")]
        public static partial void LeaveUnannounced(ILogger logger, MemberKind kind, string id, double seconds, string reason);

        [LoggerMessage(EventId = 3109, Level = LogLevel.Error, Message = "A handler of the membership event {Event} failed")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string @event);
    }
}
