using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Liveness: keeps this process's entry in the members hash fresh (a heartbeat every
/// <see cref="BusOptions.HeartbeatInterval"/>) and keeps a view of the live distributors and
/// backends. An entry not refreshed within <see cref="BusOptions.MemberTimeout"/> is dead: it is
/// removed and <see cref="MemberDown"/> fires. A process shutting down announces it instead.
/// </summary>
public sealed partial class ClusterMembership : IAsyncDisposable
{
    private readonly RedisBus _bus;
    private readonly Func<MemberInfo> _describe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<string, MemberInfo> _live = new(StringComparer.Ordinal);
    // Members that announced their departure, with the StartedAt of the run that left: a later run
    // with the same id (a restart with a configured id) is a new member and is not ignored.
    private readonly Dictionary<string, long> _departed = new(StringComparer.Ordinal);
    private Task? _refreshing;
    private Task? _loop;

    /// <summary>Creates the membership of one process.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="describe">Describes this process now (called at each heartbeat).</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    public ClusterMembership(RedisBus bus, Func<MemberInfo> describe, TimeProvider time, ILogger logger)
    {
        _bus = bus;
        _describe = describe;
        _time = time;
        _logger = logger;
    }

    /// <summary>A member was found dead or announced its departure.</summary>
    public event Action<MemberInfo>? MemberDown;

    /// <summary>A member appeared.</summary>
    public event Action<MemberInfo>? MemberUp;

    /// <summary>
    /// The view was re-read: the live members, and the <see cref="TimeProvider.GetTimestamp"/> taken
    /// just before reading. Anything registered before that moment by a member not in the view belongs
    /// to a dead member, even one that lived and died between two refreshes (which
    /// <see cref="MemberDown"/> cannot report).
    /// </summary>
    public event Action<IReadOnlyCollection<MemberInfo>, long>? Refreshed;

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

    /// <summary>Writes this process's entry, reads the others, and starts the heartbeat.</summary>
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
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var found = new Dictionary<string, MemberInfo>(StringComparer.Ordinal);
        var dead = new List<(MemberKind Kind, MemberInfo Member)>();
        foreach (var member in await ReadEntriesAsync(_bus, _logger))
        {
            if (member.ExpiresAt < now)
            {
                dead.Add((member.Kind, member));
            }
            else
            {
                found[member.Id] = member;
            }
        }

        foreach (var (kind, member) in dead)
        {
            await _bus.Database.HashDeleteAsync(_bus.Channels.Members(kind), member.Id);
        }

        List<MemberInfo> up;
        List<MemberInfo> down;
        lock (_gate)
        {
            foreach (var (id, leftRunStartedAt) in _departed.ToList())
            {
                if (!found.TryGetValue(id, out var again) && !dead.Exists(d => d.Member.Id == id))
                {
                    // Its entry is gone from the hash: nothing left to ignore.
                    _departed.Remove(id);
                }
                else if (again is not null && again.StartedAt <= leftRunStartedAt)
                {
                    found.Remove(id);
                }
            }

            up = [.. found.Values.Where(m => !_live.ContainsKey(m.Id))];
            down = [.. _live.Values.Where(m => !found.ContainsKey(m.Id))];
            _live = found;
        }

        foreach (var member in up)
        {
            Log.MemberUp(_logger, member.Kind, member.Id);
            MemberUp?.Invoke(member);
        }

        foreach (var member in down)
        {
            Log.MemberDown(_logger, member.Kind, member.Id);
            MemberDown?.Invoke(member);
        }

        Refreshed?.Invoke([.. found.Values], startedAt);
    }

    /// <summary>Another process announced that it is leaving: treat it as dead now.</summary>
    /// <param name="message">The announcement.</param>
    public void OnMemberLeaving(MemberLeaving message)
    {
        ArgumentNullException.ThrowIfNull(message);
        MemberInfo? member;
        lock (_gate)
        {
            member = _live.GetValueOrDefault(message.MemberId);
            _departed[message.MemberId] = member?.StartedAt ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (member is not null)
            {
                var live = new Dictionary<string, MemberInfo>(_live, StringComparer.Ordinal);
                live.Remove(message.MemberId);
                _live = live;
            }
        }

        if (member is not null)
        {
            Log.MemberDown(_logger, member.Kind, member.Id);
            MemberDown?.Invoke(member);
        }
    }

    /// <summary>Removes this process's entry and announces its departure.</summary>
    /// <returns>A task that completes when done.</returns>
    public async Task LeaveAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        var self = _describe();
        await _bus.Database.HashDeleteAsync(_bus.Channels.Members(self.Kind), self.Id);
        await _bus.PublishAsync(_bus.Channels.All, new MemberLeaving(self.Id, self.Kind).Encode());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stopping.Dispose();
    }

    private async Task BeatAsync()
    {
        var self = _describe() with
        {
            ExpiresAt = _time.GetUtcNow().Add(_bus.Options.MemberTimeout).ToUnixTimeMilliseconds(),
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(self, MemberInfoJsonContext.Default.MemberInfo);
        await _bus.Database.HashSetAsync(_bus.Channels.Members(self.Kind), self.Id, json);
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
                    await BeatAsync();
                    await RefreshAsync();
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
    /// Every entry of the members hashes, expired ones included (compare <see cref="MemberInfo.ExpiresAt"/>
    /// with the clock); unreadable entries are logged and skipped.
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
    }
}
