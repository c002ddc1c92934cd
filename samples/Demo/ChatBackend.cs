using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Backend.Contracts;

namespace SocketIO.Distributor.Demo;

/// <summary>
/// The demo chat, served through its typed contract (<see cref="IChatServer"/>): clients call
/// <c>postMessage</c> with <c>{message, channel}</c>; the ack is <c>(null, "ok")</c> or an error
/// <c>{message, code, data}</c> naming the field; valid messages go to everyone in <c>/chat</c> as
/// <c>chatMessage</c>. A new client receives <c>history</c>: the last 50 messages.
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
    private readonly Lock _gate = new();

    /// <summary>Serves <see cref="Namespace"/> on <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    public void Configure(SocketIOBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        // Connection state recovery: a client back within 2 minutes keeps its socket and gets what it missed.
        backend.Of(Namespace).UseConnectionStateRecovery();
        ChatContract.Serve(backend, socket =>
        {
            socket.Client.History(History());
            return new ChatSession(this, socket);
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

    /// <summary>One client's chat: the contract checked the request before <see cref="PostMessage"/> runs.</summary>
    private sealed class ChatSession(ChatBackend chat, ContractSocket<IChatClient> socket) : IChatServer
    {
        public Task<string> PostMessage(PostMessageRequest request)
        {
            var message = new ChatMessage(SenderOf(socket.Socket), request.Message.Trim(), request.Channel);
            chat.Remember(message);
            socket.Namespace.Client.ChatMessage(message);
            return Task.FromResult("ok");
        }

        private static string SenderOf(BackendSocket socket) =>
            socket.Handshake.Auth.ValueKind == System.Text.Json.JsonValueKind.Object
            && socket.Handshake.Auth.TryGetProperty("name", out var name)
            && name.ValueKind == System.Text.Json.JsonValueKind.String
            && !string.IsNullOrWhiteSpace(name.GetString())
                ? name.GetString()!.Trim()[..Math.Min(name.GetString()!.Trim().Length, 32)]
                : "guest-" + socket.Id[^4..];
    }
}
