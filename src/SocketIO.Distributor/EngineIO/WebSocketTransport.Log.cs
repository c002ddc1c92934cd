using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.EngineIO;

internal sealed partial class WebSocketTransport
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Engine.IO session {Sid} took no frame for {Stall} and was disconnected as too slow; its connection was reset")]
        public static partial void WriteStalled(ILogger logger, string sid, TimeSpan stall);
    }
}
