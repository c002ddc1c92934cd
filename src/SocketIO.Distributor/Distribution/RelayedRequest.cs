using System.Threading.Channels;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// A request this distributor relayed to the distributor holding its session: waits for the answer
/// and, for a WebSocket, queues the tunnel's frames for the client (bounded).
/// </summary>
internal sealed class RelayedRequest(ulong id, string holder, bool tunnel, int capacity)
{
    /// <summary>
    /// Continuations run where the answer is set (the relay channel's delivery loop): writing a small
    /// answer to the client is quick and never blocks (an async write yields), and it saves a
    /// thread-pool hop on every relayed request.
    /// </summary>
    private readonly TaskCompletionSource<RelayResponse?> _answer = new();

    public ulong Id { get; } = id;

    /// <summary>The distributor holding the session.</summary>
    public string Holder { get; } = holder;

    public bool IsTunnel { get; } = tunnel;

    /// <summary>The holder's answer; null when the holder is gone (or could not be reached).</summary>
    public Task<RelayResponse?> Answer => _answer.Task;

    /// <summary>The frames for the client (tunnels only), in order, bounded.</summary>
    public Channel<TunnelFrame> Frames { get; } = Channel.CreateBounded<TunnelFrame>(new BoundedChannelOptions(tunnel ? capacity : 1) { SingleReader = true, SingleWriter = true });

    /// <summary>Why the tunnel ended from the holder's side or ours (null while it runs).</summary>
    public string? EndReason { get; private set; }

    public void OnAnswer(RelayResponse response) => _answer.TrySetResult(response);

    /// <summary>A frame from the holder. False when the client is too slow to take it (the queue is full).</summary>
    public bool OnFrame(TunnelFrame frame) => Frames.Writer.TryWrite(frame);

    /// <summary>Ends the request: a pending answer becomes "holder gone", a tunnel's client connection is cut.</summary>
    public void End(string reason)
    {
        EndReason ??= reason;
        _answer.TrySetResult(null);
        Frames.Writer.TryComplete();
    }
}

/// <summary>A request this distributor serves for the distributor that received it: cancelled when that one lets go.</summary>
internal sealed class ServedRequest(string relayedBy, ulong id) : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    public string RelayedBy { get; } = relayedBy;

    public ulong Id { get; } = id;

    /// <summary>The tunnel's socket (WebSocket requests only).</summary>
    public TunnelWebSocket? Socket { get; init; }

    /// <summary>Cancelled when the client went away, its request timed out, or the relaying distributor died.</summary>
    public CancellationToken Cancelled => _cancel.Token;

    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already served and gone.
        }

        Socket?.OnCancelled();
    }

    public void Dispose() => _cancel.Dispose();
}
