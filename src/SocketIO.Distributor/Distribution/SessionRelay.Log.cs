using Microsoft.Extensions.Logging;

namespace SocketIO.Distributor.Distribution;

internal sealed partial class SessionRelay
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Ignored a relay message that could not be decoded")]
        public static partial void BadMessage(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5402, Level = LogLevel.Warning, Message = "Distributor {Holder} no longer listens on its relay channel: its relayed requests end (answered 400, tunnels closed)")]
        public static partial void HolderLost(ILogger logger, string holder);

        [LoggerMessage(EventId = 5403, Level = LogLevel.Error, Message = "Serving a relayed request for session {Sid} from distributor {RelayedBy} failed")]
        public static partial void ServeFailed(ILogger logger, Exception exception, string sid, string relayedBy);

        [LoggerMessage(EventId = 5404, Level = LogLevel.Warning, Message = "A relayed request for session {Sid} got no answer from distributor {Holder} within {Timeout}")]
        public static partial void TimedOut(ILogger logger, string sid, string holder, TimeSpan timeout);

        [LoggerMessage(EventId = 5405, Level = LogLevel.Warning, Message = "Probing the relay channels failed; retrying")]
        public static partial void ProbeFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5406, Level = LogLevel.Debug, Message = "Tunnel {RequestId} to distributor {Holder} ended: {Reason}")]
        public static partial void TunnelEnded(ILogger logger, ulong requestId, string holder, string reason);
    }
}
