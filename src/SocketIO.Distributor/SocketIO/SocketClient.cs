using Microsoft.Extensions.Logging;
using SocketIO.Distributor.EngineIO;
using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.SocketIO;

/// <summary>
/// The Socket.IO side of one Engine.IO session: decodes its packets, reassembles binary
/// attachments, connects and disconnects its namespaces and routes events to their handlers.
/// Invalid input closes this connection only.
/// </summary>
internal sealed partial class SocketClient
{
    private readonly object _gate = new();
    private readonly SocketIOServer _server;
    private readonly List<ClientSocket> _sockets = [];
    /// <summary>Namespaces whose connect is being decided; null while none is (a connected, idle client holds no set). Under <see cref="_gate"/>.</summary>
    private HashSet<string>? _pendingConnects;
    private readonly CancellationTokenSource _closed = new();

    /// <summary>Closes a connection that connects no namespace in time; disposed at the first connect (an idle connection keeps no timer).</summary>
    private ITimer? _connectTimer;
    private PendingBinary? _pendingBinary;

    public SocketClient(SocketIOServer server, EngineSession session)
    {
        _server = server;
        Session = session;
        _connectTimer = server.Time.CreateTimer(
            static s => ((SocketClient)s!).OnConnectTimeout(), this, server.Options.ConnectTimeout, Timeout.InfiniteTimeSpan);
    }

    public EngineSession Session { get; }

    private ILogger Logger => _server.Logger;

    public void OnMessage(in EnginePacket packet)
    {
        if (packet.IsBinary)
        {
            OnAttachment(packet.Data);
            return;
        }

        if (_pendingBinary is not null)
        {
            ProtocolError("a text packet arrived while binary attachments were expected");
            return;
        }

        var raw = packet.Data.ToArray();
        var error = SocketPacketParser.Parse(raw, out var parsed);
        if (error != DecodeError.None)
        {
            ProtocolError($"invalid Socket.IO packet ({error})");
            return;
        }

        switch (parsed.Type)
        {
            case SocketPacketType.Connect:
                OnConnect(parsed);
                break;
            case SocketPacketType.Disconnect:
                OnDisconnect(parsed);
                break;
            case SocketPacketType.Event or SocketPacketType.Ack or SocketPacketType.BinaryEvent or SocketPacketType.BinaryAck:
                OnEventOrAck(parsed, raw);
                break;
            default:
                ProtocolError($"a client may not send {parsed.Type}");
                break;
        }
    }

    public void OnClose(string reason)
    {
        List<ClientSocket> sockets;
        lock (_gate)
        {
            if (_closed.IsCancellationRequested)
            {
                return;
            }

            _closed.Cancel();
            sockets = [.. _sockets];
            _sockets.Clear();
            _pendingBinary = null;
        }

        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        foreach (var socket in sockets)
        {
            socket.IsConnected = false;
            NotifyDisconnect(socket, reason);
        }
    }

    /// <summary>Connects the root namespace of an EIO3 client, which socket.io v2 does without a CONNECT.</summary>
    public void ConnectRootForEio3() =>
        OnConnect(new SocketPacket(SocketPacketType.Connect, SocketPacket.RootNamespace, -1, 0, default));

    public void DisconnectSocket(ClientSocket socket, bool closeConnection)
    {
        if (TryRemove(socket))
        {
            Session.Send(SocketPacketWriter.EncodeFrame(SocketPacketType.Disconnect, socket.Namespace, -1, 0, default));
            NotifyDisconnect(socket, "server namespace disconnect");
        }

        if (closeConnection)
        {
            Session.Close("forced server close");
        }
    }

    private void OnEventOrAck(in SocketPacket packet, byte[] raw)
    {
        var socket = FindSocket(packet.Namespace.Span);
        if (socket is null)
        {
            ProtocolError($"{packet.Type} for namespace '{packet.NamespaceName}', which this client is not connected to");
            return;
        }

        if (packet.IsBinaryType && packet.Attachments > 0)
        {
            if (packet.Attachments > _server.Options.MaxAttachments)
            {
                ProtocolError($"{packet.Attachments} attachments announced; the limit is {_server.Options.MaxAttachments}");
                return;
            }

            _pendingBinary = new PendingBinary(socket, packet, raw, new List<ReadOnlyMemory<byte>>(packet.Attachments));
            return;
        }

        Dispatch(socket, new InboundMessage(packet, raw, []));
    }

    private void OnAttachment(ReadOnlyMemory<byte> data)
    {
        var pending = _pendingBinary;
        if (pending is null)
        {
            ProtocolError("a binary message arrived that no packet announced");
            return;
        }

        pending.Attachments.Add(data.ToArray());
        if (pending.Attachments.Count < pending.Packet.Attachments)
        {
            return;
        }

        _pendingBinary = null;
        Dispatch(pending.Socket, new InboundMessage(pending.Packet, pending.Raw, pending.Attachments));
    }

    private void Dispatch(ClientSocket socket, InboundMessage message)
    {
        if (!socket.IsConnected)
        {
            return;
        }

        try
        {
            socket.Handler.OnMessage(socket, message);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(Logger, ex, socket.Namespace, socket.Id);
        }
    }

    private ClientSocket? FindSocket(ReadOnlySpan<byte> nsp)
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                if (nsp.SequenceEqual(socket.NamespaceUtf8))
                {
                    return socket;
                }
            }
        }

        return null;
    }

    private void OnDisconnect(in SocketPacket packet)
    {
        var socket = FindSocket(packet.Namespace.Span);
        if (socket is null)
        {
            return;
        }

        if (TryRemove(socket))
        {
            NotifyDisconnect(socket, "client namespace disconnect");
        }
    }

    /// <summary>Takes the socket out of this connection's namespaces; false if it was not in them.</summary>
    private bool TryRemove(ClientSocket socket)
    {
        lock (_gate)
        {
            if (!_sockets.Remove(socket))
            {
                return false;
            }
        }

        socket.IsConnected = false;
        return true;
    }

    private void NotifyDisconnect(ClientSocket socket, string reason)
    {
        try
        {
            socket.Handler.OnDisconnect(socket, reason);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(Logger, ex, socket.Namespace, socket.Id);
        }
    }

    private void ProtocolError(string detail)
    {
        Session.Metrics.ProtocolError();
        Session.OnProtocolError(detail);
    }

    private void OnConnectTimeout()
    {
        bool idle;
        lock (_gate)
        {
            idle = _sockets.Count == 0 && _pendingConnects is null && !_closed.IsCancellationRequested;
        }

        if (idle)
        {
            Log.ConnectTimeout(Logger, Session.Id);
            Session.Close("connect timeout");
        }
    }

    private sealed record PendingBinary(ClientSocket Socket, SocketPacket Packet, byte[] Raw, List<ReadOnlyMemory<byte>> Attachments);
}
