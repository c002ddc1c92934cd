using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.EngineIO;

public sealed partial class EngineSession
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Engine.IO session {Sid} broke the protocol and was closed: {Detail}")]
        public static partial void ProtocolError(ILogger logger, string sid, string detail);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Engine.IO session {Sid} closed: {Reason}")]
        public static partial void SessionClosed(ILogger logger, string sid, string reason);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Engine.IO session {Sid} is too slow (over {MaxPackets} packets or {MaxBytes} bytes queued) and was disconnected")]
        public static partial void SlowClient(ILogger logger, string sid, int maxPackets, long maxBytes);
    }
}
