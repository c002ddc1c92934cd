namespace SocketIO.Distributor.Protocol.EngineIO;

/// <summary>Engine.IO packet types; on the wire each is the ASCII digit of its value.</summary>
public enum EnginePacketType : byte
{
    /// <summary>Sent by the server when a new transport is opened (the handshake).</summary>
    Open = 0,

    /// <summary>Requests the close of this transport but does not shut down the connection itself.</summary>
    Close = 1,

    /// <summary>Heartbeat request (server to client in EIO4, client to server in EIO3) and upgrade probe.</summary>
    Ping = 2,

    /// <summary>Heartbeat answer and upgrade probe answer.</summary>
    Pong = 3,

    /// <summary>Carries a payload: a Socket.IO packet or binary attachment.</summary>
    Message = 4,

    /// <summary>Sent by the client to complete a transport upgrade.</summary>
    Upgrade = 5,

    /// <summary>No operation; used to release a pending long-polling request during an upgrade.</summary>
    Noop = 6,
}

/// <summary>The Engine.IO protocol revision a client speaks (the <c>EIO</c> query parameter).</summary>
public enum EngineProtocolVersion
{
    /// <summary>Engine.IO 3: socket.io-client v2. Client sends pings; length-prefixed polling payloads.</summary>
    V3 = 3,

    /// <summary>Engine.IO 4: socket.io-client v3 and v4. Server sends pings; record-separated payloads.</summary>
    V4 = 4,
}
