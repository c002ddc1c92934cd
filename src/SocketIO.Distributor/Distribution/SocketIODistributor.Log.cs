using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Distribution;

public sealed partial class SocketIODistributor
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Distributor {Id} serving {Namespaces} through Redis {Redis}")]
        public static partial void Started(ILogger logger, string id, string namespaces, string redis);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Distributor {Id} stopped")]
        public static partial void Stopped(ILogger logger, string id);

        [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Ignored a bus message that could not be decoded")]
        public static partial void BadMessage(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Ignored an unexpected {Type} message on {Channel}")]
        public static partial void UnexpectedMessage(ILogger logger, string type, string channel);

        [LoggerMessage(EventId = 5005, Level = LogLevel.Error, Message = "Answering a remote query for {Namespace} failed")]
        public static partial void QueryFailed(ILogger logger, Exception exception, string @namespace);

        [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "{Count} message(s) from {Sender} on {Channel} never arrived (Redis dropped them, e.g. after disconnecting a slow subscriber)")]
        public static partial void MessagesLost(ILogger logger, long count, string sender, string channel);

        [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Distributor {Id} registered again ({Reason}): reconciling its sockets with every backend")]
        public static partial void Rejoined(ILogger logger, string id, string reason);

        [LoggerMessage(EventId = 5009, Level = LogLevel.Debug, Message = "Sent an inventory of {Count} socket(s) to backend {BackendId}")]
        public static partial void InventorySent(ILogger logger, int count, string backendId);

        [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Backend {BackendId} did not hold {Count} socket(s) assigned to it: re-attached them with a recovery CONNECT")]
        public static partial void SocketsReattached(ILogger logger, int count, string backendId);

        [LoggerMessage(EventId = 5011, Level = LogLevel.Error, Message = "Redis has been unreachable for {Seconds:0.0} s, longer than the outage tolerance of {Tolerance} s: closing {Sessions} client connection(s) (transport close; clients reconnect)")]
        public static partial void OutageTooLong(ILogger logger, double seconds, double tolerance, int sessions);

        [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Distributor {Id}: {Connections} connections; sockets {Sockets}; {PacketsIn} packets relayed to backends, {FramesOut} frames out; {RedisLosses} Redis connection losses")]
        public static partial void Stats(ILogger logger, string id, int connections, string sockets, long packetsIn, long framesOut, long redisLosses);
    }
}
