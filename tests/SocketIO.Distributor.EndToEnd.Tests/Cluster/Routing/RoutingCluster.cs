using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Distribution;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Routing;

/// <summary>
/// The topology of the routing tests: two distributors serving <c>/chat</c> and <c>/game</c>, backend
/// B1 serving <c>/chat</c> and backend B2 serving <c>/game</c>, on a cluster of the test's own.
/// </summary>
internal sealed class RoutingCluster : IAsyncDisposable
{
    public const string Chat = "/chat";
    public const string Game = "/game";

    private RoutingCluster(TestCluster cluster, DistributorHost d1, DistributorHost d2, SocketIOBackend chat, SocketIOBackend game)
    {
        Cluster = cluster;
        D1 = d1;
        D2 = d2;
        ChatBackend = chat;
        GameBackend = game;
    }

    public TestCluster Cluster { get; }

    public DistributorHost D1 { get; }

    public DistributorHost D2 { get; }

    /// <summary>B1: serves <c>/chat</c>.</summary>
    public SocketIOBackend ChatBackend { get; }

    /// <summary>B2: serves <c>/game</c>.</summary>
    public SocketIOBackend GameBackend { get; }

    public BackendNamespace ChatNsp => ChatBackend.Of(Chat);

    public BackendNamespace GameNsp => GameBackend.Of(Game);

    /// <summary>Starts B1 and B2 (set up by <paramref name="chat"/> and <paramref name="game"/>), then D1 and D2, and waits until both see both backends.</summary>
    public static async Task<RoutingCluster> StartAsync(
        string name,
        Action<BackendNamespace>? chat = null,
        Action<BackendNamespace>? game = null,
        Action<DistributorOptions>? configure = null)
    {
        var cluster = TestCluster.Create(name);
        try
        {
            // Of() declares the namespace: a backend announces only the namespaces it was asked for.
            var b1 = await cluster.StartBackendAsync(b =>
            {
                var nsp = b.Of(Chat);
                chat?.Invoke(nsp);
            });
            var b2 = await cluster.StartBackendAsync(b =>
            {
                var nsp = b.Of(Game);
                game?.Invoke(nsp);
            });
            var d1 = await cluster.StartDistributorAsync([Chat, Game], configure);
            var d2 = await cluster.StartDistributorAsync([Chat, Game], configure);
            await cluster.WaitForBackendsAsync(d1, 2);
            await cluster.WaitForBackendsAsync(d2, 2);
            return new RoutingCluster(cluster, d1, d2, b1, b2);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects driver socket <paramref name="name"/> to <paramref name="nsp"/> on <paramref name="at"/> and returns the
    /// backend's socket for it. The client's own <c>socket.id</c> cannot be used for that: socket.io-client v2 makes
    /// up <c>/nsp#engineId</c> instead of taking the server's id, so the name travels in the auth (v2: the
    /// namespace's query, which the distributor turns into the auth) and the backend socket is found by it.
    /// </summary>
    public async Task<BackendSocket> ConnectAsync(NodeClientDriver clients, string name, DistributorHost at, string nsp, IReadOnlyDictionary<string, object?>? auth = null)
    {
        var withName = new Dictionary<string, object?>(auth ?? new Dictionary<string, object?>()) { ["name"] = name };
        await clients.ConnectAsync(name, at.Url, nsp, auth: withName);
        var backend = nsp == Chat ? ChatNsp : GameNsp;
        return SocketNamed(backend, name);
    }

    /// <summary>The backend socket whose handshake auth carries <c>name</c>: <paramref name="name"/>.</summary>
    public static BackendSocket SocketNamed(BackendNamespace nsp, string name)
    {
        var matches = nsp.Sockets.Values
            .Where(s => s.Handshake.Auth.TryGetProperty("name", out var n) && n.ValueKind == System.Text.Json.JsonValueKind.String && n.GetString() == name)
            .ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new Xunit.Sdk.XunitException($"The backend of {nsp.Name} has {matches.Count} sockets named '{name}' (it has {nsp.Sockets.Count} sockets).");
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
