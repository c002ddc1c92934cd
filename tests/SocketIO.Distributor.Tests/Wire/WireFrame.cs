namespace SocketIO.Distributor.Tests.Wire;

/// <summary>One WebSocket message as received: either text or binary.</summary>
internal sealed record WireFrame(string? Text, byte[]? Binary)
{
    public bool IsText => Text is not null;

    public override string ToString() =>
        Text is not null ? $"text \"{Text}\"" : $"binary [{string.Join(",", Binary ?? [])}]";
}
