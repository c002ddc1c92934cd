using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>A recovered socket: live emits it already got from the replay log are not written twice.</summary>
internal sealed partial class RelaySocket
{
    private volatile HashSet<string>? _replayed;
    private long _replayedUpTo;

    /// <summary>
    /// The offsets written from the replay log (up to score <paramref name="upTo"/>): live copies of
    /// them, already waiting or still on their way, are dropped until a newer live emit arrives.
    /// </summary>
    public void ExpectReplayed(HashSet<string> offsets, long upTo)
    {
        lock (_gate)
        {
            _replayedUpTo = upTo;
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

    /// <summary>True for a live copy of an emit already written from the replay log.</summary>
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

        lock (_gate)
        {
            if (replayed.Contains(offset))
            {
                return true;
            }

            if (RecoveryOffset.TryScore(offset, out var score) && score > _replayedUpTo)
            {
                // Newer than anything replayed: the live stream has caught up.
                _replayed = null;
            }

            return false;
        }
    }

    private static ReadOnlySpan<byte> FirstText(EngineFrame[] frames) =>
        frames.Length == 0 || frames[0].IsBinary ? ReadOnlySpan<byte>.Empty : frames[0].Bytes.Span;
}
