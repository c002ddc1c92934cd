namespace SocketIO.Distributor.Protocol.SocketIO;

/// <summary>Socket.IO packet types; on the wire each is the ASCII digit of its value.</summary>
public enum SocketPacketType : byte
{
    /// <summary>Connection to a namespace (client request, server acceptance with the socket id).</summary>
    Connect = 0,

    /// <summary>Disconnection from a namespace.</summary>
    Disconnect = 1,

    /// <summary>An event: a JSON array whose first element is the event name.</summary>
    Event = 2,

    /// <summary>An acknowledgement: a JSON array of the acknowledgement's arguments.</summary>
    Ack = 3,

    /// <summary>A refused connection to a namespace (server to client).</summary>
    ConnectError = 4,

    /// <summary>An event with binary attachments sent as the following binary messages.</summary>
    BinaryEvent = 5,

    /// <summary>An acknowledgement with binary attachments.</summary>
    BinaryAck = 6,
}
