using System.Diagnostics;
using System.Text.Json;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>
/// Issue 9 item 6, backend half: StopAsync drains before it unsubscribes. With distributors that
/// acknowledge departures (<see cref="DepartureSeen"/>) the drain waits for each live one, not for a
/// silence; with a distributor from before that, for a silence as well.
/// </summary>
public sealed class DrainTests
{
    [Fact]
    public async Task A_stopping_backend_finishes_the_handlers_in_flight_then_tells_the_distributor_it_drained()
    {
        var gate = new TaskCompletionSource();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.On("slow", async e =>
        {
            await gate.Task;
            e.Ack("done");
        })));
        var socket = await h.ConnectAsync("s1");
        await h.D1.WatchAsync(h.D1.Channels.All);
        h.D1.SendPacket(h.Backend.Id, "s1", "27[\"slow\"]");
        await Eventually.TrueAsync(() => !socket.IsIdle, "the handler runs");

        var stopping = h.Backend.StopAsync();
        await h.D1.NextAsync<MemberLeaving>();
        Assert.False(stopping.IsCompleted, "the stop waits for the handler in flight");
        gate.SetResult();
        await stopping.WithTimeout("the stop");

        // The stop returns once BackendDrained is published; the distributor hears it a moment later.
        await Eventually.TrueAsync(
            () => h.D1.All.Any(r => r.Channel == h.D1.Channels.Distributor(h.D1.Id) && r.Message is BackendDrained { BackendId: "b1" }),
            "the distributor hears BackendDrained");
        var inbox = h.D1.All.Where(r => r.Channel == h.D1.Channels.Distributor(h.D1.Id)).Select(r => r.Message).ToList();
        var answer = inbox.FindIndex(m => m is SendToSocket { AnswersAck: 8 });
        var drained = inbox.FindIndex(m => m is BackendDrained { BackendId: "b1" });
        Assert.True(answer >= 0, "the ack was sent");
        Assert.True(drained > answer, $"BackendDrained ({drained}) comes after the ack ({answer}) on the distributor's inbox");
        Assert.True(h.Logs.Has(4054));
    }

    [Fact]
    public async Task A_handler_that_outlasts_the_drain_timeout_does_not_hold_up_the_stop()
    {
        var gate = new TaskCompletionSource();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("stuck", async _ => await gate.Task)),
            configure: o => o.DrainTimeout = TimeSpan.FromMilliseconds(300));
        var socket = await h.ConnectAsync("s1");
        h.D1.SendPacket(h.Backend.Id, "s1", "2[\"stuck\"]");
        await Eventually.TrueAsync(() => !socket.IsIdle, "the handler runs");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await h.Backend.StopAsync().WithTimeout("the stop", TimeSpan.FromSeconds(5));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"the stop took {clock.Elapsed}");
        await h.D1.NextAsync<BackendDrained>();
        Assert.Contains(h.Logs.Entries, e => e.EventId == 4054 && e.Message.Contains("(1 socket(s) still busy)", StringComparison.Ordinal));
        gate.SetResult();
    }

    [Fact]
    public async Task A_stopping_backend_keeps_its_inbox_and_its_entry_until_every_live_distributor_acknowledged_the_departure()
    {
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("echo", e => e.Ack("back"))),
            distributorSetup: d => d.AcknowledgesDepartures = true);
        await h.ConnectAsync("s1");
        await h.D1.WatchAsync(h.D1.Channels.All);

        var stopping = h.Backend.StopAsync();
        await h.D1.NextAsync<MemberLeaving>(m => m.MemberId == "b1");

        // A distributor slow to read the departure (paused, or its subscriber behind): five times the
        // silence that used to end the drain (this harness's heartbeat, 100 ms) passes first.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(stopping.IsCompleted, "the stop waits for the distributor's acknowledgement");
        var entry = EntryOf(h, "b1");
        Assert.NotNull(entry);
        Assert.True(entry.Leaving, "the entry says the backend drains");
        Assert.True(await h.D1.Bus.Database.KeyExistsAsync(h.D1.Channels.Alive(MemberKind.Backend, "b1")), "the alive key stays while it drains");

        // What the distributor sent before it read the departure is still received and answered.
        h.D1.SendPacket(h.Backend.Id, "s1", "25[\"echo\"]");
        await h.D1.NextAsync<SendToSocket>(s => s.AnswersAck == 6);
        h.D1.Publish(h.Backend.Id, new DepartureSeen(h.D1.Id));
        await stopping.WithTimeout("the stop");

        await h.D1.NextAsync<BackendDrained>(d => d.BackendId == "b1");
        Assert.Null(EntryOf(h, "b1"));
        var drained = Assert.Single(h.Logs.Entries, e => e.EventId == 4054);
        Assert.EndsWith("1 of 1 distributor(s) acknowledged the departure", drained.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_distributor_that_dies_before_acknowledging_holds_the_drain_only_until_the_membership_drops_it()
    {
        await using var h = await StartWithASilentD2Async();
        await h.ConnectAsync("s1");
        await h.DistributorsSeenAsync("/", 2);

        // The drain starts waiting for both; then d2 stops its heartbeat without a word (as a killed
        // process's entry expires) and never answers: the drain waits for it only until the membership
        // drops it (member timeout 500 ms).
        var clock = Stopwatch.StartNew();
        var stopping = h.Backend.StopAsync();
        await Eventually.TrueAsync(() => h.Logs.Has(4053), "the drain started");
        await h.D2.CrashAsync();
        await stopping.WithTimeout("the stop", TimeSpan.FromSeconds(15));

        AssertDrainedWithoutD2(h, clock);
    }

    [Fact]
    public async Task A_distributor_restarted_with_the_same_id_does_not_hold_the_drain_for_the_run_that_died()
    {
        await using var h = await StartWithASilentD2Async();
        await h.ConnectAsync("s1");
        await h.ConnectAsync("s2", via: h.D2);
        await h.DistributorsSeenAsync("/", 2);
        var died = h.D2.StartedAt;

        // d2 is killed and its supervisor starts it again with the same configured id at once: its alive
        // key never lapses (member timeout 500 ms), so the membership never drops "d2". The run that was
        // told of the departure is gone and will not answer; the new run found the backend leaving and
        // sends it nothing.
        var clock = Stopwatch.StartNew();
        var stopping = h.Backend.StopAsync();
        await Eventually.TrueAsync(() => h.Logs.Has(4053), "the drain started");
        await h.D2.CrashAsync();
        var again = await h.StartDistributorAsync("d2", d => d.AcknowledgesDepartures = true);
        await stopping.WithTimeout("the stop", TimeSpan.FromSeconds(15));

        Assert.True(again.StartedAt > died, "a new run");
        Assert.True(await again.Bus.Database.KeyExistsAsync(again.Channels.Alive(MemberKind.Distributor, "d2")), "d2's alive key is there: the new run keeps it");
        AssertDrainedWithoutD2(h, clock);
    }

    [Fact]
    public async Task With_a_distributor_that_does_not_acknowledge_departures_the_drain_also_waits_for_a_silence()
    {
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("echo", e => e.Ack("back"))),
            distributors: ["d1", "d2"],
            distributorSetup: d => d.AcknowledgesDepartures = d.AnswersDepartures = d.Id == "d1");
        await h.ConnectAsync("s1");
        await h.DistributorsSeenAsync("/", 2);

        await h.Backend.StopAsync().WithTimeout("the stop");

        var drained = Assert.Single(h.Logs.Entries, e => e.EventId == 4054);
        Assert.Contains("1 of 1 distributor(s) acknowledged the departure; waited for a silence as well", drained.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backend_that_stops_while_Redis_is_down_says_so_once_and_waits_for_no_acknowledgement()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("echo", e => e.Ack("back"))),
            configure: o =>
            {
                o.Bus.Redis = redis.ConnectionString;
                o.DrainTimeout = TimeSpan.FromSeconds(20);
            },
            distributorSetup: d => d.AcknowledgesDepartures = true);
        await h.ConnectAsync("s1");
        await redis.KillAsync();
        await Eventually.TrueAsync(() => !h.Backend.IsReady, "the backend sees Redis down");

        var clock = Stopwatch.StartNew();
        await h.Backend.StopAsync().WithTimeout("the stop", TimeSpan.FromSeconds(15));

        // Nobody was told, so nobody will answer: a silence ends the drain, not the drain timeout (20 s).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed}");
        Assert.Single(h.Logs.Entries, e => e.EventId == 3108);
        var drained = Assert.Single(h.Logs.Entries, e => e.EventId == 4054);
        Assert.Contains("the departure could not be announced", drained.Message, StringComparison.Ordinal);
        await redis.RestartAsync();
    }

    /// <summary>Distributors d1 (answers departures at once) and d2 (acknowledges departures but never answers); drain timeout 20 s.</summary>
    private static Task<BackendHarness> StartWithASilentD2Async([System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.On("echo", e => e.Ack("back"))),
            distributors: ["d1", "d2"],
            configure: o => o.DrainTimeout = TimeSpan.FromSeconds(20),
            distributorSetup: d =>
            {
                d.AcknowledgesDepartures = true;
                d.AnswersDepartures = d.Id == "d1";
            },
            test: test);

    /// <summary>The stop ended well inside the drain timeout, with d1's acknowledgement only.</summary>
    private static void AssertDrainedWithoutD2(BackendHarness h, Stopwatch clock)
    {
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed} (drain timeout 20 s)");
        var drained = Assert.Single(h.Logs.Entries, e => e.EventId == 4054);
        Assert.Contains("1 of 2 distributor(s) acknowledged the departure", drained.Message, StringComparison.Ordinal);
    }

    private static MemberInfo? EntryOf(BackendHarness h, string id)
    {
        byte[]? json = h.D1.Bus.Database.HashGet(h.D1.Channels.Members(MemberKind.Backend), id);
        return json is null ? null : JsonSerializer.Deserialize(json, MemberInfoJsonContext.Default.MemberInfo);
    }
}
