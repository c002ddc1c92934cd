using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>
/// Departures. A process that stops at once (a distributor) announces <see cref="MemberLeaving"/> and
/// removes its entry in one step (<see cref="LeaveAsync"/>). A process that drains first (a backend)
/// announces (<see cref="AnnounceLeavingAsync"/>: its entry says <see cref="MemberInfo.Leaving"/>, its
/// heartbeat goes on) and removes its entry only when done: a member whose refresh runs before the
/// announcement reached it reads a departure in the entry, never a death (whose unanswered events
/// would get <c>BACKEND_LOST</c> at once), and one that starts meanwhile never counts it live.
/// </summary>
public sealed partial class ClusterMembership
{
    private volatile bool _leaving;
    private volatile bool _announced;
    private volatile bool _unannouncedLogged;

    /// <summary>True once this process announced its departure (<see cref="AnnounceLeavingAsync"/>).</summary>
    public bool IsLeaving => _leaving;

    /// <summary>Another process announced that it is leaving: treat it as gone now.</summary>
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
            Raise(MemberDown, member with { Leaving = true });
        }
    }

    /// <summary>
    /// Announces this process's departure while it keeps running: its entry says
    /// <see cref="MemberInfo.Leaving"/> (nobody picks it any more), then <see cref="MemberLeaving"/> goes to
    /// every process. The heartbeat goes on until <see cref="LeaveAsync"/>. With Redis unreachable it logs
    /// one line and returns false.
    /// </summary>
    /// <returns>True if announced.</returns>
    public async Task<bool> AnnounceLeavingAsync()
    {
        _leaving = true;
        var self = _describe();
        if (!_bus.IsConnected)
        {
            LogUnannounced(self, "no connection");
            return false;
        }

        try
        {
            await MarkEntryLeavingAsync();
            await PublishLeavingAsync(self);
            _announced = true;
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnannounced(self, ex.Message);
            return false;
        }
    }

    /// <summary>Writes the entry with <see cref="MemberInfo.Leaving"/>; the announcement goes out even if this fails.</summary>
    private async Task MarkEntryLeavingAsync()
    {
        try
        {
            await BeatAsync().WaitAsync(RedisBus.StopStepTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.HeartbeatFailed(_logger, ex);
        }
    }

    /// <summary>
    /// Stops the heartbeat, announces the departure (unless <see cref="AnnounceLeavingAsync"/> did) and
    /// removes this process's entry and alive key. With Redis unreachable it logs one line and returns:
    /// the others notice when the alive key expires.
    /// </summary>
    /// <returns>A task that completes when done.</returns>
    public async Task LeaveAsync()
    {
        _leaving = true;
        await StopLoopAsync();
        var self = _describe();
        if (!_bus.IsConnected)
        {
            LogUnannounced(self, "no connection");
            return;
        }

        try
        {
            // The announcement first: Redis pushes it to every subscriber before it deletes anything.
            var db = _bus.Database;
            if (!_announced)
            {
                await PublishLeavingAsync(self);
            }

            await Task.WhenAll(
                db.KeyDeleteAsync(_bus.Channels.Alive(self.Kind, self.Id)),
                db.HashDeleteAsync(_bus.Channels.Members(self.Kind), self.Id)).WaitAsync(RedisBus.StopStepTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnannounced(self, ex.Message);
        }
    }

    /// <summary>Tells every process that this one leaves; bounded: an outage not noticed yet must not hold the stop for the library's timeout.</summary>
    private Task PublishLeavingAsync(MemberInfo self) =>
        _bus.PublishAsync(_bus.Channels.All, new MemberLeaving(self.Id, self.Kind).Encode()).WaitAsync(RedisBus.StopStepTimeout);

    /// <summary>One warning per stop, however many steps of it found Redis unreachable.</summary>
    private void LogUnannounced(MemberInfo self, string reason)
    {
        if (!_unannouncedLogged)
        {
            _unannouncedLogged = true;
            Log.LeaveUnannounced(_logger, self.Kind, self.Id, _bus.Options.MemberTimeout.TotalSeconds, reason);
        }
    }

    /// <summary>
    /// Under <see cref="_gate"/>, during a refresh: entries that say they are draining become departures
    /// (the refresh then leaves them out of the view). Returns those that were live, as just read, so
    /// that <see cref="MemberDown"/> reports them with <see cref="MemberInfo.Leaving"/> set.
    /// </summary>
    private Dictionary<string, MemberInfo> NoteLeavingEntries(Dictionary<string, MemberInfo> found, string selfId)
    {
        var wasLive = new Dictionary<string, MemberInfo>(StringComparer.Ordinal);
        foreach (var member in found.Values)
        {
            if (!member.Leaving || member.Id == selfId)
            {
                continue;
            }

            if (!_departed.TryGetValue(member.Id, out var recorded) || recorded < member.StartedAt)
            {
                // A later run than a departure remembered from before (a restart with the same id) leaves too.
                _departed[member.Id] = member.StartedAt;
            }

            if (_live.ContainsKey(member.Id))
            {
                wasLive[member.Id] = member;
            }
        }

        return wasLive;
    }
}
