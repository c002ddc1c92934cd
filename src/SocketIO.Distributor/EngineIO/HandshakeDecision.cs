namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The answer of <see cref="EngineOptions.AllowRequest"/> to an Engine.IO handshake: let the client
/// open a session, or refuse it with HTTP 403 and <c>{"code":4,"message":...}</c> as engine.io does.
/// </summary>
public readonly record struct HandshakeDecision
{
    private HandshakeDecision(bool allowed, string? message)
    {
        IsAllowed = allowed;
        Message = message;
    }

    /// <summary>Lets the handshake through.</summary>
    public static HandshakeDecision Allow => new(allowed: true, message: null);

    /// <summary>True if the handshake may go on.</summary>
    public bool IsAllowed { get; }

    /// <summary>The refusal's message sent to the client; null sends engine.io's <c>Forbidden</c>.</summary>
    public string? Message { get; }

    /// <summary>Refuses the handshake: HTTP 403 with <c>{"code":4,"message":"<paramref name="message"/>"}</c>.</summary>
    /// <param name="message">The reason given to the client; null for <c>Forbidden</c>.</param>
    /// <returns>The refusal.</returns>
    public static HandshakeDecision Refuse(string? message = null) => new(allowed: false, message);
}
