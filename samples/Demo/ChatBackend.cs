using System.Text.Json.Serialization;
using SocketIO.Distributor.Backend;

namespace SocketIO.Distributor.Demo;

/// <summary>
/// The demo chat (after the chat example of typed-socket.io): clients call <c>postMessage</c> with
/// <c>{message, channel}</c> (channel <c>en</c> or <c>ru</c>); the ack is <c>(null, "ok")</c> or an
/// error string; valid messages go to everyone in <c>/chat</c> as <c>chatMessage</c>
/// <c>{sender, message, channel}</c>. A new client receives <c>history</c>: the last 50 messages.
/// </summary>
public sealed class ChatBackend
{
    /// <summary>The namespace served.</summary>
    public const string Namespace = "/chat";

    /// <summary>How many messages <c>history</c> holds.</summary>
    public const int HistorySize = 50;

    /// <summary>The longest message accepted, in characters.</summary>
    public const int MaxMessageLength = 500;

    private readonly Queue<ChatMessage> _history = new();
    private readonly object _gate = new();

    /// <summary>Serves <see cref="Namespace"/> on <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    public void Configure(SocketIOBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        // Connection state recovery: a client back within 2 minutes keeps its socket and gets what it missed.
        var chat = backend.Of(Namespace).UseConnectionStateRecovery();
        chat.OnConnection(socket =>
        {
            socket.Emit("history", History());
            socket.OnAsync<PostMessageRequest, string>("postMessage", request =>
            {
                var error = Validate(request);
                if (error is not null)
                {
                    throw new SocketHandlerException(error);
                }

                var message = new ChatMessage(SenderOf(socket), request!.Message!.Trim(), request.Channel!);
                Remember(message);
                chat.Emit("chatMessage", message);
                return Task.FromResult("ok");
            });
        });
    }

    /// <summary>The last messages, oldest first.</summary>
    /// <returns>The messages.</returns>
    public IReadOnlyList<ChatMessage> History()
    {
        lock (_gate)
        {
            return [.. _history];
        }
    }

    /// <summary>Checks a request at run time; returns the error the client sees, or null.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The error, or null when valid.</returns>
    public static string? Validate(PostMessageRequest? request)
    {
        if (request is null)
        {
            return "postMessage needs {message, channel}";
        }

        if (string.IsNullOrWhiteSpace(request.Message))
        {
            return "message must be a non-empty string";
        }

        if (request.Message.Length > MaxMessageLength)
        {
            return $"message must be at most {MaxMessageLength} characters";
        }

        return request.Channel is "en" or "ru" ? null : "channel must be \"en\" or \"ru\"";
    }

    private static string SenderOf(BackendSocket socket) =>
        socket.Handshake.Auth.ValueKind == System.Text.Json.JsonValueKind.Object
        && socket.Handshake.Auth.TryGetProperty("name", out var name)
        && name.ValueKind == System.Text.Json.JsonValueKind.String
        && !string.IsNullOrWhiteSpace(name.GetString())
            ? name.GetString()!.Trim()[..Math.Min(name.GetString()!.Trim().Length, 32)]
            : "guest-" + socket.Id[^4..];

    private void Remember(ChatMessage message)
    {
        lock (_gate)
        {
            _history.Enqueue(message);
            while (_history.Count > HistorySize)
            {
                _history.Dequeue();
            }
        }
    }
}

/// <summary>The argument of <c>postMessage</c>.</summary>
/// <param name="Message">The text.</param>
/// <param name="Channel"><c>en</c> or <c>ru</c>.</param>
public sealed record PostMessageRequest(
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("channel")] string? Channel);

/// <summary>A chat message as clients receive it.</summary>
/// <param name="Sender">Who sent it.</param>
/// <param name="Message">The text.</param>
/// <param name="Channel"><c>en</c> or <c>ru</c>.</param>
public sealed record ChatMessage(
    [property: JsonPropertyName("sender")] string Sender,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("channel")] string Channel);
