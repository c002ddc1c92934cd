using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Backend;

/// <summary>Logs of connection state recovery (event ids 4100-4119).</summary>
internal static partial class RecoveryEvents
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Could not write to the replay log of {Namespace}: recovery may miss an emit")]
    public static partial void LogWriteFailed(ILogger logger, Exception exception, string @namespace);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Socket {SocketId} of {Namespace} disconnected ({Reason}); its session waits {Seconds} s to be recovered")]
    public static partial void SessionHeld(ILogger logger, string socketId, string @namespace, string reason, double seconds);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Socket {SocketId} of {Namespace} recovered on distributor {DistributorId}")]
    public static partial void SessionRestored(ILogger logger, string socketId, string @namespace, string distributorId);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Socket {SocketId} of {Namespace} was refused recovery ({Why}): it connects as a new socket")]
    public static partial void RecoveryRefused(ILogger logger, string socketId, string @namespace, string why);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Could not keep the session of socket {SocketId} of {Namespace} in Redis")]
    public static partial void SessionWriteFailed(ILogger logger, Exception exception, string socketId, string @namespace);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Debug, Message = "The recovery of socket {SocketId} of {Namespace} is not possible: its client connects as a new socket with a new id")]
    public static partial void RecoveryAnsweredAsNew(ILogger logger, string socketId, string @namespace);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Offsets of {Namespace} come from this backend's clock, not from Redis ({Why}): with several replicas emitting to it at once, a recovery may repeat or miss an emit of another replica")]
    public static partial void OffsetsFromClock(ILogger logger, string @namespace, string why);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Debug, Message = "Offsets of {Namespace} are given by Redis (one script per recoverable emit)")]
    public static partial void OffsetsFromRedis(ILogger logger, string @namespace);
}
