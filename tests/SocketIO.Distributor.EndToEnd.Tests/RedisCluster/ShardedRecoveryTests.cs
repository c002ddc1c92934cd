using System.Diagnostics;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.EndToEnd.Tests.Cluster;
using SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.RedisCluster;

/// <summary>
/// Connection state recovery on a 3-master Redis Cluster with sharded pub/sub: the namespace's replay
/// log is in the slot of its sharded channel, so a backend's log write and its publish go through one
/// master on one connection, in that order (in different slots a publish could overtake its log entry,
/// and a socket recovering at that moment missed the event: CI saw 5 of 1,000 sockets in
/// RecoveryLoadTests miss one), and the Lua script that gives offsets in Redis's order runs there too.
/// </summary>
public sealed class ShardedRecoveryTests(ThreeMasters masters, ITestOutputHelper output) : IClassFixture<ThreeMasters>
{
    private const string Chat = "/chat";

    [Fact]
    public async Task The_replay_log_is_on_the_master_of_the_namespace_channel_Redis_gives_the_offsets_and_a_cut_client_gets_every_event_once_in_order()
    {
        await using var scene = await Scene.StartAsync(masters.Redis, "shard-recover", output);
        Assert.True(scene.Backend.RecoveryOffsetsFromRedis(Chat), "the backend numbers by its clock: the offset script did not run on the cluster (see its log, event 4106)");
        Assert.Equal(PubSubMode.Sharded, scene.First.Distributor.PubSubMode);

        // The log and the channel: one slot by Redis's own count, and the entry is on that slot's master.
        var slot = await masters.Redis.SlotOfAsync(scene.Channel);
        output.WriteLine($"channel {scene.Channel} and log {scene.Log}: slot {slot}");
        Assert.Equal(slot, await masters.Redis.SlotOfAsync(scene.Log));
        Assert.Equal(slot, ClusterSlots.Of(scene.Log));
        var owner = await masters.Redis.OwnerOfAsync(scene.Log);
        Assert.Equal("1", await masters.Redis.CommandAsync(owner.Port, "ZCARD", scene.Log));

        await scene.Clients.CutAsync(Scene.Cut);
        scene.Emit(50);
        await scene.HeldAsync();
        scene.Emit(50);
        var reconnecting = scene.Clients.ReconnectAsync(Scene.Cut, scene.Second.Url);
        scene.Emit(50);
        await reconnecting;
        scene.Emit(50);
        var got = await scene.AssertRecoveredEveryEventAsync();
        output.WriteLine($"RESULT sharded recovery: {scene.Emitted} emits, the recovered client got {got}, {scene.Second.Distributor.Statistics.EventsReplayed} replayed");
    }

    /// <summary>
    /// The master of the namespace's slot (its channel and its log) holds every write
    /// (<c>CLIENT PAUSE WRITE</c>, 800 ms) while the backend emits and the cut client recovers on the
    /// other distributor: the emits wait there with their log entries (the script that numbers, logs and
    /// publishes them is a write), the recovery waits behind the backend's own writes on that connection,
    /// and the client gets all 51 events once and in order after the pause. (This pause does not reproduce
    /// the overtaking publish of the old layout: there too the backend's session check queued behind its
    /// log writes. The slot check in the test above is what pins that down.)
    /// </summary>
    [Fact]
    public async Task While_the_master_of_the_replay_log_holds_its_writes_a_client_recovering_then_gets_every_event_once_in_order()
    {
        await using var scene = await Scene.StartAsync(masters.Redis, "shard-pause", output);
        await scene.Clients.CutAsync(Scene.Cut);
        scene.Emit(10);
        await scene.HeldAsync();

        var owner = await masters.Redis.OwnerOfAsync(scene.Log);
        var clock = Stopwatch.StartNew();
        await masters.Redis.CommandAsync(owner.Port, "CLIENT", "PAUSE", "800", "WRITE");
        var pausedBy = clock.ElapsedMilliseconds;
        scene.Emit(20);
        await scene.Clients.ReconnectAsync(Scene.Cut, scene.Second.Url);
        scene.Emit(20);
        var got = await scene.AssertRecoveredEveryEventAsync();
        output.WriteLine($"RESULT paused log master {owner.Port}: paused by {pausedBy} ms, all {scene.Emitted} in by {clock.ElapsedMilliseconds} ms; got {got}");
    }

    /// <summary>A recovering backend, two distributors and one v4 client on the first, which got event 1.</summary>
    private sealed class Scene : IAsyncDisposable
    {
        public const string Cut = "cut";

        private static readonly TimeSpan PauseProofMemberTimeout = TimeSpan.FromSeconds(4);

        private readonly RecoveringBackend _backend = new();
        private TestCluster _cluster = null!;
        private string _sid = string.Empty;

        public Backend.SocketIOBackend Backend { get; private set; } = null!;

        public DistributorHost First { get; private set; } = null!;

        public DistributorHost Second { get; private set; } = null!;

        public NodeClientDriver Clients { get; private set; } = null!;

        public string Channel => new BusChannels(_cluster.Prefix).Namespace(Chat);

        public string Log => RecoveryKeys.ReplayLog(_cluster.Prefix, Channel);

        public int Emitted { get; private set; }

        public static async Task<Scene> StartAsync(Testing.Resp.RedisCluster redis, string name, ITestOutputHelper output)
        {
            // Alive keys that outlast the 800 ms write pause below: a member whose key sits on the paused master
            // (one chance in three) must not expire meanwhile (with the cluster's 1 s member timeout it could, and
            // the lone backend's sockets were then disconnected as orphans). The pause is about the replay log.
            var scene = new Scene { _cluster = TestCluster.Create(name, redis.ConnectionString) };
            scene.Backend = await scene._cluster.StartBackendAsync(x => scene._backend.Serve(x, Chat), o => o.Bus.MemberTimeout = PauseProofMemberTimeout);
            scene.First = await scene._cluster.StartDistributorAsync([Chat], o => o.Bus.MemberTimeout = PauseProofMemberTimeout);
            scene.Second = await scene._cluster.StartDistributorAsync([Chat], o => o.Bus.MemberTimeout = PauseProofMemberTimeout);
            await scene._cluster.WaitForBackendsAsync(scene.First, 1);
            await scene._cluster.WaitForBackendsAsync(scene.Second, 1);
            scene.Clients = await NodeClientDriver.StartAsync("v4", output);
            scene._sid = await scene.Clients.ConnectAsync(Cut, scene.First.Url, Chat);
            scene.Emit(1);
            await scene.Clients.WaitForEventAsync(Cut, "n", e => e.Args[0].GetInt32() == 1);
            return scene;
        }

        /// <summary>Emits <c>n</c> to everyone, numbered from 1 on.</summary>
        public void Emit(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _backend.Nsp.Emit("n", ++Emitted);
            }
        }

        public Task HeldAsync() => Eventually.TrueAsync(() => _backend.Nsp.WaitingSockets == 1, "the backend holds the cut socket for recovery");

        /// <summary>The client was recovered (same id, no disconnect) and got every event once, in order; returns how many.</summary>
        public async Task<int> AssertRecoveredEveryEventAsync()
        {
            await Clients.WaitForEventAsync(Cut, "n", e => e.Args[0].GetInt32() == Emitted, TimeSpan.FromSeconds(20));

            // socket.io-client emits the packets written before CONNECT, then "connect".
            await Eventually.TrueAsync(() => Clients.Events.Count(e => e.Name == Cut && e.Event == "$connect") >= 2, "the reconnected client reports its $connect");
            var reconnected = Clients.Events.Last(e => e.Name == Cut && e.Event == "$connect");
            Assert.True(reconnected.Recovered, $"not recovered: {reconnected}");
            Assert.Equal(_sid, reconnected.Sid);
            var got = Clients.Events.Where(e => e.Name == Cut && e.Event == "n").Select(e => e.Args[0].GetInt32()).ToList();
            Assert.Equal(Enumerable.Range(1, Emitted), got);
            Assert.Empty(_backend.Disconnects);
            return got.Count;
        }

        public async ValueTask DisposeAsync()
        {
            if (Clients is not null)
            {
                await Clients.DisposeAsync();
            }

            await _cluster.DisposeAsync();
        }
    }
}
