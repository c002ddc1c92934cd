using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Backend;

/// <summary>The backend's log messages (event ids 4000-4999).</summary>
internal static partial class BackendLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Backend {BackendId} started, serving {Namespaces}")]
    public static partial void Started(ILogger logger, string backendId, string namespaces);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Backend {BackendId} stopped")]
    public static partial void Stopped(ILogger logger, string backendId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Ignored an unreadable bus message on {Channel}")]
    public static partial void BadBusMessage(ILogger logger, Exception exception, string channel);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Ignored a {MessageType} bus message on {Channel}: not for a backend")]
    public static partial void UnexpectedBusMessage(ILogger logger, string messageType, string channel);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Socket {SocketId} connected to {Namespace} through distributor {DistributorId}")]
    public static partial void SocketConnected(ILogger logger, string socketId, string @namespace, string distributorId);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Debug, Message = "Socket {SocketId} of {Namespace} rejected: {Reason}")]
    public static partial void SocketRejected(ILogger logger, string socketId, string @namespace, string reason);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Socket {SocketId} of {Namespace} disconnected: {Reason}")]
    public static partial void SocketDisconnected(ILogger logger, string socketId, string @namespace, string reason);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "Connect request for {Namespace} with an unreadable handshake from distributor {DistributorId}")]
    public static partial void BadHandshake(ILogger logger, Exception exception, string @namespace, string distributorId);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "Ignored a second connect request for socket {SocketId}")]
    public static partial void DuplicateSocket(ILogger logger, string socketId);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "A middleware of {Namespace} returned without calling next; socket {SocketId} rejected")]
    public static partial void MiddlewareStopped(ILogger logger, string @namespace, string socketId);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Warning, Message = "Distributor {DistributorId} is down: disconnecting its {Count} sockets")]
    public static partial void DistributorDown(ILogger logger, string distributorId, int count);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Debug, Message = "Ignored a packet for unknown socket {SocketId}")]
    public static partial void UnknownSocket(ILogger logger, string socketId);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Ignored an unreadable packet from socket {SocketId}: {Error}")]
    public static partial void BadPacket(ILogger logger, string socketId, string error);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Debug, Message = "Ignored a late or unknown acknowledgement {AckId} from socket {SocketId}")]
    public static partial void UnknownAck(ILogger logger, long ackId, string socketId);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Socket {SocketId} has {Capacity} events waiting for its handlers; dropping the event and disconnecting it")]
    public static partial void QueueFull(ILogger logger, string socketId, int capacity);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Error, Message = "A middleware of {Namespace} failed; socket {SocketId} rejected with 'Internal error'")]
    public static partial void MiddlewareFailed(ILogger logger, Exception exception, string @namespace, string socketId);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Error, Message = "A connection handler of {Namespace} failed for socket {SocketId}")]
    public static partial void ConnectionHandlerFailed(ILogger logger, Exception exception, string @namespace, string socketId);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Error, Message = "The handler of '{EventName}' failed for socket {SocketId}")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception, string eventName, string socketId);

    [LoggerMessage(EventId = 4033, Level = LogLevel.Debug, Message = "The handler of '{EventName}' answered socket {SocketId} with an error: {Message}")]
    public static partial void EventHandlerRefused(ILogger logger, string eventName, string socketId, string message);

    [LoggerMessage(EventId = 4034, Level = LogLevel.Warning, Message = "The arguments of '{EventName}' from socket {SocketId} do not fit the handler")]
    public static partial void BadArguments(ILogger logger, Exception exception, string eventName, string socketId);

    [LoggerMessage(EventId = 4035, Level = LogLevel.Error, Message = "A disconnect handler failed for socket {SocketId}")]
    public static partial void DisconnectHandlerFailed(ILogger logger, Exception exception, string socketId);

    [LoggerMessage(EventId = 4036, Level = LogLevel.Error, Message = "A handler of socket {SocketId} failed")]
    public static partial void QueueItemFailed(ILogger logger, Exception exception, string socketId);

    [LoggerMessage(EventId = 4037, Level = LogLevel.Error, Message = "A handler of custom message '{Name}' failed")]
    public static partial void CustomHandlerFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Warning, Message = "{Count} message(s) from distributor {Sender} never reached inbox {Channel} (Redis dropped them)")]
    public static partial void MessagesLost(ILogger logger, long count, string sender, string channel);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "The inbox pipeline is full ({Capacity} messages waiting): dropped a message ({Total} so far); client events with an ack id are answered BACKEND_OVERLOADED")]
    public static partial void InboxFull(ILogger logger, int capacity, long total);

    [LoggerMessage(EventId = 4052, Level = LogLevel.Error, Message = "Handling a bus message from the inbox pipeline failed")]
    public static partial void InboxMessageFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4053, Level = LogLevel.Information, Message = "Backend {BackendId} draining: announced its departure; handling what is in flight for at most {DrainTimeout}")]
    public static partial void Draining(ILogger logger, string backendId, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 4054, Level = LogLevel.Information, Message = "Backend {BackendId} drained in {Elapsed} ms ({Busy} socket(s) still busy); {Acknowledged} of {Distributors} distributor(s) acknowledged the departure{Silence}")]
    public static partial void Drained(ILogger logger, string backendId, long elapsed, int busy, int acknowledged, int distributors, string silence);

    [LoggerMessage(EventId = 4055, Level = LogLevel.Warning, Message = "Dropped custom message '{Name}': 10000 wait for their handlers ({Total} inbox overflows so far)")]
    public static partial void CustomQueueFull(ILogger logger, string name, long total);

    [LoggerMessage(EventId = 4040, Level = LogLevel.Warning, Message = "Remote {Kind} on {Namespace} timed out; no reply from distributors {Missing}")]
    public static partial void RemoteQueryIncomplete(ILogger logger, string kind, string @namespace, string missing);

    [LoggerMessage(EventId = 4041, Level = LogLevel.Debug, Message = "Ignored a late reply {RequestId} from distributor {DistributorId}")]
    public static partial void LateReply(ILogger logger, ulong requestId, string distributorId);

    [LoggerMessage(EventId = 4060, Level = LogLevel.Warning, Message = "Backend {BackendId} registered again ({Reason}): asking every distributor for its sockets")]
    public static partial void Rejoined(ILogger logger, string backendId, string reason);

    [LoggerMessage(EventId = 4061, Level = LogLevel.Warning, Message = "Reconciled with distributor {DistributorId}: it lists {Listed} socket(s); disconnected {Ghosts} it no longer holds; {Unknown} not held here reported back")]
    public static partial void Reconciled(ILogger logger, string distributorId, int listed, int ghosts, int unknown);

    [LoggerMessage(EventId = 4062, Level = LogLevel.Warning, Message = "Packets arrived for {Count} socket(s) of distributor {DistributorId} not held here: lost and counted; reported for re-attachment")]
    public static partial void PacketsForUnknownSockets(ILogger logger, int count, string distributorId);
}
