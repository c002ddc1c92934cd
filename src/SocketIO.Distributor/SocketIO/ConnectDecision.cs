namespace SocketIO.Distributor.SocketIO;

/// <summary>The answer to a client's CONNECT: accept, or reject with the error the client sees as <c>connect_error</c>.</summary>
public readonly record struct ConnectDecision
{
    private ConnectDecision(bool accepted, ReadOnlyMemory<byte> errorJson)
    {
        IsAccepted = accepted;
        ErrorJson = errorJson;
    }

    /// <summary>True if the client may connect.</summary>
    public bool IsAccepted { get; }

    /// <summary>
    /// For a rejection: the CONNECT_ERROR data as JSON, normally <c>{"message":"...","data":...}</c>.
    /// </summary>
    public ReadOnlyMemory<byte> ErrorJson { get; }

    /// <summary>
    /// For an acceptance with connection state recovery: the session's private id, sent in CONNECT
    /// (<c>{"sid":...,"pid":...}</c>); null when none.
    /// </summary>
    public string? Pid { get; init; }

    /// <summary>
    /// For a recovered socket: the packets it missed (each a packet's frames), written before the
    /// CONNECT packet as socket.io does; null when none.
    /// </summary>
    public IReadOnlyList<Protocol.EngineIO.EngineFrame[]>? Missed { get; init; }

    /// <summary>Accepts the connection.</summary>
    public static ConnectDecision Accept { get; } = new(true, default);

    /// <summary>Rejects the connection with a message (and optional extra data as JSON).</summary>
    /// <param name="message">The error message the client receives.</param>
    /// <param name="dataJson">Optional JSON for the error's <c>data</c> field.</param>
    /// <returns>The decision.</returns>
    public static ConnectDecision Reject(string message, ReadOnlyMemory<byte> dataJson = default)
    {
        var json = new System.Text.StringBuilder("{\"message\":");
        json.Append(System.Text.Json.JsonSerializer.Serialize(message, SocketIOJsonContext.Default.String));
        if (!dataJson.IsEmpty)
        {
            json.Append(",\"data\":").Append(System.Text.Encoding.UTF8.GetString(dataJson.Span));
        }

        return new ConnectDecision(false, System.Text.Encoding.UTF8.GetBytes(json.Append('}').ToString()));
    }

    /// <summary>Rejects the connection with CONNECT_ERROR data that is already JSON.</summary>
    /// <param name="errorJson">The CONNECT_ERROR payload.</param>
    /// <returns>The decision.</returns>
    public static ConnectDecision RejectWithJson(ReadOnlyMemory<byte> errorJson) => new(false, errorJson);
}
