namespace SocketIO.Distributor.EngineIO;

/// <summary>The HTTP 400 error codes of the Engine.IO protocol, sent as <c>{"code":N,"message":"..."}</c>.</summary>
internal enum EngineErrorCode
{
    UnknownTransport = 0,
    UnknownSid = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
}

internal static class EngineErrors
{
    public static string Message(EngineErrorCode code) => code switch
    {
        EngineErrorCode.UnknownTransport => "Transport unknown",
        EngineErrorCode.UnknownSid => "Session ID unknown",
        EngineErrorCode.BadHandshakeMethod => "Bad handshake method",
        EngineErrorCode.BadRequest => "Bad request",
        EngineErrorCode.Forbidden => "Forbidden",
        EngineErrorCode.UnsupportedProtocolVersion => "Unsupported protocol version",
        _ => "Bad request",
    };

    public static byte[] Body(EngineErrorCode code, string? message = null) =>
        System.Text.Encoding.UTF8.GetBytes($"{{\"code\":{(int)code},\"message\":\"{System.Text.Json.JsonEncodedText.Encode(message ?? Message(code))}\"}}");
}
