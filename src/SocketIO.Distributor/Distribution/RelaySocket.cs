using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// The distributor's state for one socket: which backend serves it, its handshake, its rooms, and
/// the frames that arrived before its CONNECT was written (they are written right after it, in order).
/// </summary>
internal sealed partial class RelaySocket(ClientSocket socket, byte[] handshakeJson, int maxBuffered)
{
    private readonly object _gate = new();
    private List<(EngineFrame[] Frames, bool Volatile)>? _early = [];
    private volatile string _backendId = string.Empty;
    private bool? _pendingDisconnect;
    private bool _overflowed;

    public ClientSocket Socket { get; } = socket;

    public string Id => Socket.Id;

    public byte[] HandshakeJson { get; } = handshakeJson;

    /// <summary>The backend serving the socket; it changes if that backend dies and another takes over.</summary>
    public string BackendId
    {
        get => _backendId;
        set => _backendId = value;
    }

    /// <summary>The socket's rooms; guarded by the namespace's <see cref="RoomIndex"/>.</summary>
    public HashSet<string> Rooms { get; } = new(StringComparer.Ordinal);

    /// <summary>True once the backend accepted the socket.</summary>
    public bool IsAccepted { get; set; }

    /// <summary>When the backend accepted it (a <see cref="TimeProvider"/> timestamp).</summary>
    public long AcceptedAt { get; set; }

    /// <summary>True once the socket left its rooms for good (set by the <see cref="RoomIndex"/> under its lock).</summary>
    public bool HasLeft { get; set; }

    /// <summary>
    /// Disconnects the socket from its namespace, or, if its CONNECT is not written yet, right after it
    /// (a backend may disconnect a socket from its connection handler).
    /// </summary>
    public void RequestDisconnect(bool closeConnection)
    {
        lock (_gate)
        {
            if (_early is not null)
            {
                _pendingDisconnect = (_pendingDisconnect ?? false) || closeConnection;
                return;
            }
        }

        Socket.Disconnect(closeConnection);
    }

    /// <summary>Writes frames to the client, or keeps them until its CONNECT is written.</summary>
    public void Deliver(EngineFrame[] frames, bool isVolatile)
    {
        lock (_gate)
        {
            // Checked under the lock that ExpectReplayed takes: a live copy that passed the check before the
            // replay was read would otherwise be held below after ExpectReplayed cleared the held frames.
            if (IsReplayed(frames))
            {
                return;
            }

            if (_early is not null)
            {
                if (_early.Count < maxBuffered)
                {
                    _early.Add((frames, isVolatile));
                }
                else if (!isVolatile && !_overflowed)
                {
                    _overflowed = true;
                    Owner.OnTooManyBeforeConnect(this);
                    Socket.Session.Close("slow client");
                }

                return;
            }
        }

        Write(frames, isVolatile);
    }

    /// <summary>The client has its CONNECT: write what arrived before it, then write directly.</summary>
    public void MarkConnected()
    {
        bool? disconnect;
        while (true)
        {
            List<(EngineFrame[] Frames, bool Volatile)> early;
            lock (_gate)
            {
                if (_early is null || _early.Count == 0)
                {
                    _early = null;
                    disconnect = _pendingDisconnect;
                    _pendingDisconnect = null;
                    break;
                }

                early = _early;
                _early = [];
            }

            foreach (var (frames, isVolatile) in early)
            {
                Write(frames, isVolatile);
            }
        }

        if (disconnect is { } closeConnection)
        {
            Socket.Disconnect(closeConnection);
        }
    }

    private void Write(EngineFrame[] frames, bool isVolatile)
    {
        var sent = isVolatile ? Socket.SendVolatile(frames) : Socket.Send(frames);
        if (sent)
        {
            DistributorMetrics.CountOut(frames);
        }
        else if (isVolatile)
        {
            DistributorMetrics.VolatileDropped.Add(1);
        }
    }
}
