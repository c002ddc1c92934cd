using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

// Usage: SignalRPeer --redis host:port --urls http://127.0.0.1:p
// Hubs: /bench (Echo, Join, Fire) and /chat (the demo chat); GET /bench-stats[?gc=1] → {"heap": bytes}.
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseUrls(Arg("urls", "http://127.0.0.1:8101"));
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR().AddStackExchangeRedis(Arg("redis", "127.0.0.1:6379"), o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("bench"));
builder.Services.AddSingleton<ChatHistory>();

var app = builder.Build();
app.MapHub<BenchHub>("/bench");
app.MapHub<ChatHub>("/chat");
app.MapGet("/bench-stats", (HttpContext context) =>
{
    var collect = context.Request.Query.ContainsKey("gc");
    if (collect)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    return Results.Json(new { heap = GC.GetTotalMemory(collect), role = "signalr" });
});
await app.RunAsync();

/// <summary>Echo with a result, group joins, and a broadcast trigger.</summary>
internal sealed class BenchHub : Hub
{
    public string Echo(string payload) => payload;

    public async Task<string> Join(string room)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, room);
        return "ok";
    }

    public Task Fire(string room, string payload) =>
        string.IsNullOrEmpty(room) ? Clients.All.SendAsync("tick", payload) : Clients.Group(room).SendAsync("tick", payload);
}

/// <summary>The demo chat's logic (samples/Demo ChatBackend), as a hub.</summary>
internal sealed class ChatHub(ChatHistory history) : Hub
{
    public override Task OnConnectedAsync() => Clients.Caller.SendAsync("history", history.Snapshot());

    public async Task<string> PostMessage(JsonElement request)
    {
        var message = request.ValueKind == JsonValueKind.Object && request.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var channel = request.ValueKind == JsonValueKind.Object && request.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (string.IsNullOrWhiteSpace(message) || message.Length > 500 || channel is not ("en" or "ru"))
        {
            throw new HubException("invalid message");
        }

        var chat = new ChatMessage("guest-" + Context.ConnectionId[^4..], message.Trim(), channel);
        history.Remember(chat);
        await Clients.All.SendAsync("chatMessage", chat);
        return "ok";
    }
}

internal sealed record ChatMessage(string Sender, string Message, string Channel);

internal sealed class ChatHistory
{
    private readonly Queue<ChatMessage> _messages = new();
    private readonly Lock _gate = new();

    public ChatMessage[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _messages];
        }
    }

    public void Remember(ChatMessage message)
    {
        lock (_gate)
        {
            _messages.Enqueue(message);
            while (_messages.Count > 50)
            {
                _messages.Dequeue();
            }
        }
    }
}
