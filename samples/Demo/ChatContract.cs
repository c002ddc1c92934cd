using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using SocketIO.Distributor.Backend.Contracts;

namespace SocketIO.Distributor.Demo;

/// <summary>
/// What a chat client sends to <c>/chat</c> (after the chat example of typed-socket.io). The
/// generator makes <c>ChatContract.Serve</c>, the checks of <see cref="PostMessageRequest"/>, and
/// the TypeScript types the demo page is checked against (<c>wwwroot/contracts.d.ts</c>).
/// </summary>
[SocketIOContract(ChatBackend.Namespace, Client = typeof(IChatClient), Json = typeof(DemoJson))]
public interface IChatServer
{
    /// <summary>Posts a message to everyone in <c>/chat</c>.</summary>
    /// <param name="request">The message and its channel.</param>
    /// <returns><c>"ok"</c>.</returns>
    Task<string> PostMessage(PostMessageRequest request);
}

/// <summary>What <c>/chat</c> sends to its clients.</summary>
public interface IChatClient
{
    /// <summary>The last messages, oldest first: sent once, when the client connects.</summary>
    /// <param name="messages">The messages.</param>
    void History(IReadOnlyList<ChatMessage> messages);

    /// <summary>A message someone posted.</summary>
    /// <param name="message">The message.</param>
    void ChatMessage(ChatMessage message);
}

/// <summary>The argument of <c>postMessage</c>.</summary>
/// <param name="Message">The text: not blank, at most <see cref="ChatBackend.MaxMessageLength"/> characters.</param>
/// <param name="Channel"><c>en</c> or <c>ru</c>.</param>
public sealed record PostMessageRequest(
    [property: JsonPropertyName("message"), Required, StringLength(ChatBackend.MaxMessageLength)] string Message,
    [property: JsonPropertyName("channel"), AllowedValues("en", "ru")] string Channel);

/// <summary>A chat message as clients receive it.</summary>
/// <param name="Sender">Who sent it.</param>
/// <param name="Message">The text.</param>
/// <param name="Channel"><c>en</c> or <c>ru</c>.</param>
public sealed record ChatMessage(
    [property: JsonPropertyName("sender")] string Sender,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("channel")] string Channel);
