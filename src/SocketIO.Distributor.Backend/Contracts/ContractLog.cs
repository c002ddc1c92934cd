using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>Log messages of typed contracts (event ids 4200-4209).</summary>
internal static partial class ContractLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Refused '{EventName}' from socket {SocketId}: {Field}: {Reason}")]
    public static partial void PayloadRefused(ILogger logger, string eventName, string socketId, string field, string reason);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Refused '{EventName}' from socket {SocketId}: not an event of {Namespace}'s contract")]
    public static partial void EventRefused(ILogger logger, string eventName, string socketId, string @namespace);
}
