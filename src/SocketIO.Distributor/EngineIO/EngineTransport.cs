namespace SocketIO.Distributor.EngineIO;

/// <summary>A way of moving frames between one session and its client: long-polling or WebSocket.</summary>
internal abstract class EngineTransport
{
    private EngineSession? _session;

    /// <summary>The protocol name of the transport (<c>polling</c> or <c>websocket</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The session this transport serves.</summary>
    public EngineSession Session => _session ?? throw new InvalidOperationException("The transport is not attached to a session.");

    public void Attach(EngineSession session) => _session = session;

    /// <summary>The session queued frames: write them when possible.</summary>
    public abstract void OnFramesQueued();

    /// <summary>Ends the transport, after writing what is queued when <paramref name="flush"/>.</summary>
    public abstract void Close(bool flush);
}
