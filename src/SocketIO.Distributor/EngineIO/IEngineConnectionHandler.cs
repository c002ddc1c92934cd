using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The layer above Engine.IO: told when a session opens, receives its messages and learns when it
/// closes. Calls for one session never overlap.
/// </summary>
public interface IEngineConnectionHandler
{
    /// <summary>A session completed its handshake.</summary>
    /// <param name="session">The new session.</param>
    void OnOpen(EngineSession session);

    /// <summary>
    /// A message packet arrived. <paramref name="packet"/>'s data is only valid during this call:
    /// copy it to keep it.
    /// </summary>
    /// <param name="session">The session it arrived on.</param>
    /// <param name="packet">The message (text or binary).</param>
    void OnMessage(EngineSession session, in EnginePacket packet);

    /// <summary>The session closed; it sends and receives nothing more.</summary>
    /// <param name="session">The closed session.</param>
    /// <param name="reason">Why, in Engine.IO's words (<c>transport close</c>, <c>ping timeout</c>, ...).</param>
    void OnClose(EngineSession session, string reason);
}
