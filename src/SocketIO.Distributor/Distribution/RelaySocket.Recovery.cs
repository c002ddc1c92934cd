using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>A recovered socket: live emits it already got from the replay log are not written twice.</summary>
internal sealed partial class RelaySocket
{
    /// <summary>
    /// How long the offsets written from the replay log are kept at least. Live emits reach a socket on
    /// several channels (its namespace's and each room's), each delivered in its own order, so a newer emit
    /// on one channel does not mean an older copy on another has arrived; a copy still on its way is one
    /// that was published before the log was read, so it arrives within this time.
    /// </summary>
    private static readonly TimeSpan ReplayedKeep = TimeSpan.FromSeconds(30);

    /// <summary>Read and written under <see cref="_gate"/> only (Deliver checks it under the lock it holds frames with).</summary>
    private HashSet<string>? _replayed;
    private long _replayedUpTo;
    private TimeProvider? _replayedClock;
    private long _replayedAt;

    /// <summary>
    /// The offsets written from the replay log (up to score <paramref name="upTo"/>): live copies of
    /// them, already waiting or still on their way, are dropped. The offsets are let go when a newer
    /// live emit arrives at least <see cref="ReplayedKeep"/> after the replay was read.
    /// </summary>
    public void ExpectReplayed(HashSet<string> offsets, long upTo, TimeProvider time)
    {
        lock (_gate)
        {
            _replayedUpTo = upTo;
            _replayedClock = time;
            _replayedAt = time.GetTimestamp();
            _replayed = offsets;
            _early?.RemoveAll(e => offsets.Contains(RecoveryOffset.Find(FirstText(e.Frames)) ?? string.Empty));
        }
    }

    /// <summary>The frames this client takes: EIO3 clients get recoverable events without the offset.</summary>
    public EngineFrame[] ForClient(EngineFrame[] frames, ref EngineFrame[]? stripped)
    {
        if (Socket.ProtocolVersion != EngineProtocolVersion.V3 || frames.Length == 0 || frames[0].IsBinary)
        {
            return frames;
        }

        if (stripped is null)
        {
            stripped = [.. frames];
            stripped[0] = new EngineFrame(RecoveryOffset.Strip(frames[0].Bytes), IsBinary: false);
        }

        return stripped;
    }

    /// <summary>True for a live copy of an emit already written from the replay log. Called under <see cref="_gate"/>.</summary>
    private bool IsReplayed(EngineFrame[] frames)
    {
        var replayed = _replayed;
        if (replayed is null)
        {
            return false;
        }

        var offset = RecoveryOffset.Find(FirstText(frames));
        if (offset is null)
        {
            return false;
        }

        if (replayed.Contains(offset))
        {
            return true;
        }

        if (RecoveryOffset.TryScore(offset, out var score) && score > _replayedUpTo
            && _replayedClock!.GetElapsedTime(_replayedAt) >= ReplayedKeep)
        {
            // Newer than anything replayed, and every copy published before the log was read has arrived.
            _replayed = null;
            _replayedClock = null;
        }

        return false;
    }

    private static ReadOnlySpan<byte> FirstText(EngineFrame[] frames) =>
        frames.Length == 0 || frames[0].IsBinary ? ReadOnlySpan<byte>.Empty : frames[0].Bytes.Span;
}
