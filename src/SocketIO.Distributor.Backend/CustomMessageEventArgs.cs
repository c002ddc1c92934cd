using System.Text.Json;

namespace SocketIO.Distributor.Backend;

/// <summary>A custom message from another process of the deployment.</summary>
/// <param name="senderId">The process that published it.</param>
/// <param name="name">The message name.</param>
/// <param name="payload">The payload.</param>
public sealed class CustomMessageEventArgs(string senderId, string name, JsonElement payload) : EventArgs
{
    /// <summary>The process that published it.</summary>
    public string SenderId { get; } = senderId;

    /// <summary>The message name.</summary>
    public string Name { get; } = name;

    /// <summary>The payload as JSON.</summary>
    public JsonElement Payload { get; } = payload;
}
