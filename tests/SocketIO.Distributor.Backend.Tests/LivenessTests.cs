using System.Text.Json;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class LivenessTests
{
    [Fact]
    public async Task Sockets_of_a_crashed_distributor_are_disconnected_with_transport_close()
    {
        var reasons = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await using var h = await BackendHarness.StartAsync(
            b => b.Of("/").OnConnection(s => s.OnDisconnect(r => reasons[s.Id] = r)),
            distributors: ["d1", "d2"]);
        await h.ConnectAsync("s1");
        await h.ConnectAsync("s2", via: h.D2);
        await h.DistributorsSeenAsync("/", 2);

        await h.D1.CrashAsync();

        await Eventually.TrueAsync(() => reasons.ContainsKey("s1"), "s1 is disconnected once d1's entry expires");
        Assert.Equal("transport close", reasons["s1"]);
        Assert.False(reasons.ContainsKey("s2"));
        Assert.Equal(["s2"], h.Backend.Of("/").Sockets.Keys);
    }

    [Fact]
    public async Task Sockets_of_a_departing_distributor_are_disconnected_at_once()
    {
        var reason = new TaskCompletionSource<string>();
        await using var h = await BackendHarness.StartAsync(b => b.Of("/").OnConnection(s => s.OnDisconnect(r => reason.TrySetResult(r))));
        await h.ConnectAsync("s1");

        await h.D1.LeaveAsync();

        Assert.Equal("transport close", await reason.Task.WithTimeout("the disconnect"));
    }

    [Fact]
    public async Task The_backend_registers_its_namespaces_and_socket_counts_and_announces_its_departure()
    {
        await using var h = await BackendHarness.StartAsync(b =>
        {
            b.Of("/chat");
            b.Of("game");
        });
        await h.ConnectAsync("s1", "/chat");
        var key = h.D1.Channels.Members(MemberKind.Backend);

        MemberInfo? entry = null;
        await Eventually.TrueAsync(
            () =>
            {
                byte[]? json = h.D1.Bus.Database.HashGet(key, "b1");
                entry = json is null ? null : JsonSerializer.Deserialize(json, MemberInfoJsonContext.Default.MemberInfo);
                return entry is not null && entry.Sockets.GetValueOrDefault("/chat") == 1;
            },
            "the heartbeat reports the socket");
        Assert.Equal(MemberKind.Backend, entry!.Kind);
        Assert.Equal(["/chat", "/game"], entry.Namespaces.Order());
        Assert.Contains('/', entry.Host);
        Assert.True(entry.StartedAt > 0);

        await h.D1.WatchAsync(h.D1.Channels.All);
        await h.Backend.StopAsync();

        var leaving = await h.D1.NextAsync<MemberLeaving>();
        Assert.Equal(("b1", MemberKind.Backend), (leaving.MemberId, leaving.Kind));
        Assert.False(h.D1.Bus.Database.HashExists(key, "b1"));
        Assert.False(h.Backend.IsRunning);
        Assert.Empty(h.D1.ReceivedOf<SocketCommand>());
    }
}
