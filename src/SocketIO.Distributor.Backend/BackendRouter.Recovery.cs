using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Backend;

/// <summary>Recoverable emits published by a script that also gives them their offset.</summary>
internal sealed partial class BackendRouter
{
    /// <summary>
    /// Encodes a broadcast for the namespace channel, numbered as <see cref="BroadcastOnNamespace(string, IReadOnlyCollection{string}, IReadOnlyCollection{string}, EmitFlags, EngineFrame[])"/>
    /// numbers it, and hands it to <paramref name="send"/> (channel, message) instead of publishing it.
    /// </summary>
    public void BroadcastOnNamespace(string nsp, IReadOnlyCollection<string> rooms, IReadOnlyCollection<string> except, EmitFlags flags, EngineFrame[] frames, Action<string, byte[]> send)
    {
        var sequence = (ulong)Interlocked.Increment(ref _lastSequence);
        var broadcast = new Broadcast(nsp, rooms, except, flags, BackendId, sequence, frames);
        _sequencer.Publish(Channels.Namespace(nsp), n => (broadcast with { ChannelSequence = n }).Encode(), send);
        BackendMetrics.EmitsOut.Add(1);
    }
}
