using System.Text;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Backend.Tests.Harness;

/// <summary>
/// One backend and one or more fake distributors on a fresh channel prefix of the test RESP
/// server, with fast heartbeats (100 ms, members expire after 500 ms).
/// </summary>
internal sealed class BackendHarness : IAsyncDisposable
{
    private readonly List<FakeDistributor> _distributors = [];

    private BackendHarness(BusOptions bus, SocketIOBackend backend, TestLogs logs)
    {
        Bus = bus;
        Backend = backend;
        Logs = logs;
    }

    public BusOptions Bus { get; }

    public SocketIOBackend Backend { get; }

    public TestLogs Logs { get; }

    public FakeDistributor D1 => _distributors[0];

    public FakeDistributor D2 => _distributors[1];

    public static BusOptions NewBusOptions(string test) => new()
    {
        Redis = TestRedis.ConnectionString,
        ChannelPrefix = NewPrefix(test),
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        MemberTimeout = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>
    /// <see cref="TestRedis.NewPrefix"/> slices past the end of its string for names shorter than
    /// 22 characters, and cuts into the GUID for longer ones: give it exactly 22.
    /// </summary>
    private static string NewPrefix(string test) => TestRedis.NewPrefix(test.PadRight(22, '_')[..22]);

    /// <summary>
    /// Starts the fake distributors first (so the backend sees them at once), then the backend,
    /// after <paramref name="setup"/> added its namespaces.
    /// </summary>
    public static async Task<BackendHarness> StartAsync(
        Action<SocketIOBackend> setup,
        string[]? distributors = null,
        TimeProvider? time = null,
        Action<BackendOptions>? configure = null,
        Action<FakeDistributor>? distributorSetup = null,
        [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var bus = NewBusOptions(test);
        var options = new BackendOptions { Bus = bus, BackendId = "b1" };
        configure?.Invoke(options);
        var logs = new TestLogs();
        var backend = new SocketIOBackend(options, logs, time);
        setup(backend);
        var harness = new BackendHarness(bus, backend, logs);
        var namespaces = backend.Namespaces.Select(n => n.Name).ToArray();
        foreach (var id in distributors ?? ["d1"])
        {
            var distributor = new FakeDistributor(bus, id, namespaces);
            distributorSetup?.Invoke(distributor);
            await distributor.StartAsync();
            harness._distributors.Add(distributor);
        }

        await backend.StartAsync();
        return harness;
    }

    /// <summary>Starts one more fake distributor (a new run of one that crashed, with the same id), disposed with the harness.</summary>
    public async Task<FakeDistributor> StartDistributorAsync(string id, Action<FakeDistributor>? setup = null)
    {
        var distributor = new FakeDistributor(Bus, id, [.. Backend.Namespaces.Select(n => n.Name)]);
        setup?.Invoke(distributor);
        await distributor.StartAsync();
        _distributors.Add(distributor);
        return distributor;
    }

    /// <summary>Waits until the backend sees <paramref name="count"/> live distributors of <paramref name="nsp"/>.</summary>
    public Task DistributorsSeenAsync(string nsp, int count) =>
        Eventually.TrueAsync(() => Backend.Membership.DistributorsOf(nsp).Count == count, $"the backend sees {count} distributors of {nsp}");

    /// <summary>Connects <paramref name="socketId"/> through D1 and returns the backend's socket.</summary>
    public async Task<BackendSocket> ConnectAsync(string socketId, string nsp = "/", FakeDistributor? via = null)
    {
        var result = await (via ?? D1).ConnectAndWaitAsync(Backend.Id, socketId, nsp);
        Assert.True(result.Accepted, Encoding.UTF8.GetString(result.ErrorJson.Span));
        return Backend.Of(nsp).Sockets[socketId];
    }

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        foreach (var distributor in _distributors)
        {
            await distributor.DisposeAsync();
        }
    }

    /// <summary>The frames of a message as text (binary frames as <c>&lt;bin:hex&gt;</c>).</summary>
    public static string[] Text(IReadOnlyList<EngineFrame> frames) =>
        [.. frames.Select(f => f.IsBinary ? $"<bin:{Convert.ToHexString(f.Bytes.Span)}>" : Encoding.UTF8.GetString(f.Bytes.Span))];

    /// <summary>The text of a connect error.</summary>
    public static string ErrorText(ConnectResult result) => Encoding.UTF8.GetString(result.ErrorJson.Span);

    /// <summary>Waits for a frame sent to <paramref name="socketId"/> whose first frame starts with <paramref name="prefix"/>.</summary>
    public Task<SendToSocket> SentAsync(string socketId, string prefix, FakeDistributor? via = null) =>
        (via ?? D1).NextAsync<SendToSocket>(s => s.SocketId == socketId && Text(s.Frames)[0].StartsWith(prefix, StringComparison.Ordinal));
}
