using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Relay;

/// <summary>
/// Two distributors on one RESP server and a backend of <c>/chat</c> that answers <c>echo</c> with the
/// text <c>hi</c> and <c>bin</c> with the bytes 1, 2, 3; raw Engine.IO requests against either
/// distributor, so that a session opened on one is used through the other.
/// </summary>
internal sealed class RelayCluster : IAsyncDisposable
{
    public const string Chat = "/chat";

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = Eventually.DefaultTimeout };

    private RelayCluster(TestCluster cluster, DistributorHost a, DistributorHost b)
    {
        Cluster = cluster;
        A = a;
        B = b;
    }

    public TestCluster Cluster { get; }

    /// <summary>The distributor where sessions are opened (it holds them).</summary>
    public DistributorHost A { get; }

    /// <summary>The other distributor, through which the sessions' requests are sent.</summary>
    public DistributorHost B { get; }

    public static async Task<RelayCluster> StartAsync(string name, Action<Distribution.DistributorOptions>? configure = null)
    {
        var cluster = TestCluster.Create(name);
        try
        {
            await cluster.StartBackendAsync(b => b.Of(Chat).OnConnection(socket =>
            {
                socket.On("echo", _ => socket.Emit("echo", "hi"));
                socket.On("bin", _ => socket.Emit("bin", new byte[] { 1, 2, 3 }));
            }));
            var a = await cluster.StartDistributorAsync([Chat], configure);
            var b = await cluster.StartDistributorAsync([Chat], configure);
            await cluster.WaitForBackendsAsync(a, 1);
            await cluster.WaitForBackendsAsync(b, 1);
            await Eventually.TrueAsync(() => a.Distributor.Members.Any(m => m.Id == b.Distributor.Id) && b.Distributor.Members.Any(m => m.Id == a.Distributor.Id), "both distributors see each other");
            return new RelayCluster(cluster, a, b);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public static string Url(DistributorHost at, int eio, string? sid = null, string extra = "") =>
        $"{at.Url}/socket.io/?EIO={eio}&transport=polling{(sid is null ? "" : "&sid=" + Uri.EscapeDataString(sid))}{extra}";

    /// <summary>Opens a polling session on <paramref name="at"/>; returns its sid.</summary>
    public async Task<string> HandshakeAsync(DistributorHost at, int eio)
    {
        var body = await _http.GetStringAsync(Url(at, eio));
        var json = body[body.IndexOf('{', StringComparison.Ordinal)..(body.LastIndexOf('}') + 1)];
        using var open = JsonDocument.Parse(json);
        return open.RootElement.GetProperty("sid").GetString()!;
    }

    public async Task<HttpResponseMessage> GetAsync(DistributorHost at, int eio, string sid, string extra = "", CancellationToken cancel = default) =>
        await _http.GetAsync(Url(at, eio, sid, extra), cancel);

    /// <summary>POSTs <paramref name="payload"/> (an encoded polling payload) and asserts the answer <c>ok</c>.</summary>
    public async Task PostAsync(DistributorHost at, int eio, string sid, string payload)
    {
        using var response = await _http.PostAsync(Url(at, eio, sid), new StringContent(payload, Encoding.UTF8, "text/plain"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {payload} through {at.Distributor.Id}: {(int)response.StatusCode} {body}");
        Assert.Equal("ok", body);
    }

    /// <summary>Polls through <paramref name="at"/> until the bodies received contain <paramref name="expected"/>; returns the last response's bytes and content type.</summary>
    public async Task<(byte[] Body, string ContentType, string AllText)> PollUntilAsync(DistributorHost at, int eio, string sid, string expected, string extra = "")
    {
        var seen = new StringBuilder();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < Eventually.DefaultTimeout)
        {
            using var response = await GetAsync(at, eio, sid, extra);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET through {at.Distributor.Id}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
            seen.Append(Encoding.Latin1.GetString(bytes));
            if (seen.ToString().Contains(expected, StringComparison.Ordinal))
            {
                return (bytes, response.Content.Headers.ContentType?.ToString() ?? "", seen.ToString());
            }
        }

        throw new Xunit.Sdk.XunitException($"'{expected}' never came through {at.Distributor.Id}; got: {seen}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Cluster.DisposeAsync();
    }
}
