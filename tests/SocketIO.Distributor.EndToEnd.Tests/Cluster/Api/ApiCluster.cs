using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Api;

/// <summary>
/// The topology of the backend API tests: two distributors serving <c>/chat</c>, and two backend
/// replicas B1 and B2 of <c>/chat</c> set up the same way (sockets land on either), on a cluster of the
/// test's own.
/// </summary>
internal sealed class ApiCluster : IAsyncDisposable
{
    public const string Chat = "/chat";

    private ApiCluster(TestCluster cluster, DistributorHost d1, DistributorHost d2, SocketIOBackend b1, SocketIOBackend b2)
    {
        Cluster = cluster;
        D1 = d1;
        D2 = d2;
        B1 = b1;
        B2 = b2;
    }

    public TestCluster Cluster { get; }

    public DistributorHost D1 { get; }

    public DistributorHost D2 { get; }

    public SocketIOBackend B1 { get; }

    public SocketIOBackend B2 { get; }

    public BackendNamespace Nsp1 => B1.Of(Chat);

    public BackendNamespace Nsp2 => B2.Of(Chat);

    /// <summary>Starts B1 and B2 (each set up by <paramref name="chat"/>), then D1 and D2, and waits until both see both backends.</summary>
    public static async Task<ApiCluster> StartAsync(string name, Action<BackendNamespace>? chat = null)
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
                var nsp = b.Of(Chat);
                chat?.Invoke(nsp);
            });
            var d1 = await cluster.StartDistributorAsync([Chat]);
            var d2 = await cluster.StartDistributorAsync([Chat]);
            await cluster.WaitForBackendsAsync(d1, 2);
            await cluster.WaitForBackendsAsync(d2, 2);
            await Eventually.TrueAsync(
                () => Sees(b1, 2, 2) && Sees(b2, 2, 2),
                "both backends see both distributors and each other");
            return new ApiCluster(cluster, d1, d2, b1, b2);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects driver socket <paramref name="name"/> on <paramref name="at"/>; returns the backend socket (on B1 or B2).</summary>
    public async Task<BackendSocket> ConnectAsync(NodeClientDriver clients, string name, DistributorHost at)
    {
        await clients.ConnectAsync(name, at.Url, Chat, auth: new Dictionary<string, object?> { ["name"] = name });
        return SocketNamed(name);
    }

    /// <summary>The backend socket named <paramref name="name"/>, on whichever replica serves it.</summary>
    public BackendSocket SocketNamed(string name)
    {
        var matches = Nsp1.Sockets.Values.Concat(Nsp2.Sockets.Values)
            .Where(s => s.Handshake.Auth.TryGetProperty("name", out var n) && n.ValueKind == System.Text.Json.JsonValueKind.String && n.GetString() == name)
            .ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new Xunit.Sdk.XunitException($"B1 and B2 hold {matches.Count} sockets named '{name}'.");
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();

    /// <summary>True when <paramref name="backend"/> sees at least so many distributors and backends.</summary>
    public static bool Sees(SocketIOBackend backend, int distributors, int backends) =>
        backend.Members.Count(m => m.Kind == MemberKind.Distributor) >= distributors
        && backend.Members.Count(m => m.Kind == MemberKind.Backend) >= backends;
}
