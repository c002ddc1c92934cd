using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol.EngineIO;

namespace EngineIOEcho;

/// <summary>Sends every message back to the session it came from, text as text and binary as binary.</summary>
internal sealed class EchoConnectionHandler : IEngineConnectionHandler
{
    public void OnOpen(EngineSession session)
    {
    }

    public void OnMessage(EngineSession session, in EnginePacket packet) =>
        session.Send(packet.IsBinary
            ? EngineFrame.Binary(packet.Data.ToArray())
            : EngineFrame.Text(EnginePacketType.Message, packet.Data.Span));

    public void OnClose(EngineSession session, string reason)
    {
    }
}
