using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// Serving requests that reached another distributor: the session id names the distributor that holds
/// the session, which serves a relayed polling request or WebSocket with the same code as a local one.
/// </summary>
public sealed partial class EngineServer
{
    /// <summary>Mints session ids; null for <see cref="NewSessionId"/>. A distributor puts its own id in front.</summary>
    internal Func<string>? SessionIdGenerator { get; set; }

    /// <summary>Serves requests for sessions this server does not hold (another distributor's); null answers them 400.</summary>
    internal IForeignSessions? ForeignSessions { get; set; }

    /// <summary>
    /// Serves a polling request relayed from another distributor, as if it had arrived here: the
    /// context is a stand-in whose response is sent back. Never relayed again: a session not held
    /// here is 400 "Session ID unknown".
    /// </summary>
    internal Task ServeRelayedPollAsync(HttpContext context, string sid) =>
        HandleSessionRequestAsync(context, sid, "polling", isWebSocket: false, mayRelay: false);

    /// <summary>
    /// A WebSocket for <paramref name="sid"/> reached another distributor: reserves the upgrade (as a
    /// local WebSocket request does before its 101), or returns null when the session is not held here.
    /// </summary>
    internal EngineSession? ReserveTunnel(string sid, out bool reserved)
    {
        reserved = false;
        if (!_sessions.TryGet(sid, out var session))
        {
            return null;
        }

        reserved = session.TryReserveUpgrade();
        return session;
    }

    /// <summary>
    /// Runs an upgrade over a tunnelled WebSocket, as <see cref="UpgradeAsync"/> does over an accepted
    /// one: probe, <c>5</c>, then the session's frames, until it closes.
    /// </summary>
    internal async Task RunTunnelAsync(EngineSession session, bool reserved, WebSocket socket, CancellationToken aborted)
    {
        var transport = new WebSocketTransport(socket, probing: true, _options.MaxWriteStall, _time, static s => ((WebSocket)s).Abort(), socket);
        transport.Attach(session);
        if (!reserved || !session.TryBeginUpgrade(transport, _time))
        {
            if (reserved)
            {
                session.ReleaseUpgradeReservation();
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "upgrade not possible", aborted);
            return;
        }

        await transport.RunAsync(aborted);
    }
}

/// <summary>Serves requests for sessions held by other distributors (implemented by the distributor's session relay).</summary>
internal interface IForeignSessions
{
    /// <summary>
    /// Relays a request for <paramref name="sid"/> to the distributor that holds it and writes its answer.
    /// False when the sid names no live distributor other than this one (the caller answers 400 at once).
    /// </summary>
    Task<bool> TryRelayAsync(HttpContext context, string sid, string transport, bool isWebSocket);
}
