using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// Heartbeats. EIO4: the server pings every <c>PingInterval</c> and closes the session if no pong
/// arrives within <c>PingTimeout</c>. EIO3: the client pings; the server answers and closes the
/// session if no ping arrives within <c>PingInterval + PingTimeout</c>. One timer per session.
/// </summary>
public sealed partial class EngineSession
{
    private readonly ITimer _heartbeat;
    private bool _awaitingPong;

    internal void StartHeartbeat()
    {
        lock (_gate)
        {
            _awaitingPong = false;
        }

        _heartbeat.Change(ProtocolVersion == EngineProtocolVersion.V4 ? _options.PingInterval : _options.PingInterval + _options.PingTimeout, Timeout.InfiniteTimeSpan);
    }

    private void StopHeartbeat() => _heartbeat.Dispose();

    private void OnHeartbeatTimer()
    {
        bool timedOut;
        lock (_gate)
        {
            if (_state != SessionState.Open)
            {
                return;
            }

            timedOut = ProtocolVersion == EngineProtocolVersion.V3 || _awaitingPong;
            _awaitingPong = true;
        }

        if (timedOut)
        {
            CloseCore("ping timeout", flush: false);
            return;
        }

        Send(EngineFrame.Bare(EnginePacketType.Ping));
        ChangeTimer(_options.PingTimeout);
    }

    private void OnPong()
    {
        lock (_gate)
        {
            if (!_awaitingPong || _state != SessionState.Open)
            {
                return;
            }

            _awaitingPong = false;
        }

        ChangeTimer(_options.PingInterval);
    }

    private void OnClientPing(in EnginePacket packet)
    {
        if (ProtocolVersion != EngineProtocolVersion.V3)
        {
            // EIO4 clients do not ping, except "2probe" on a probing WebSocket (handled by the upgrade).
            OnProtocolError("ping from an EIO4 client");
            return;
        }

        Send(packet.Data.IsEmpty
            ? EngineFrame.Bare(EnginePacketType.Pong)
            : EngineFrame.Text(EnginePacketType.Pong, packet.Data.Span));
        ChangeTimer(_options.PingInterval + _options.PingTimeout);
    }

    private void ChangeTimer(TimeSpan due)
    {
        try
        {
            _heartbeat.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The session closed meanwhile.
        }
    }
}
