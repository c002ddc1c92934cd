using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.SocketIO;

internal sealed partial class SocketClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "The handler of namespace {Namespace} failed for socket {SocketId}")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string @namespace, string socketId);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Socket {SocketId} connected to {Namespace} over session {Sid}")]
        public static partial void SocketConnected(ILogger logger, string @namespace, string socketId, string sid);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Session {Sid} connected to no namespace within the connect timeout and was closed")]
        public static partial void ConnectTimeout(ILogger logger, string sid);
    }
}
