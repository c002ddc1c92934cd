using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// DESIGN principle 6: malformed input from a client closes that client only, with the reason
/// logged; it never reaches a backend.
/// </summary>
public sealed class MalformedInputTests(ITestOutputHelper output)
{
    private const int MaxPayload = 10_000;

    /// <summary>What the bad client sends, and the part of the distributor's log line that says why it was closed.</summary>
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var version in new[] { "v4", "v2" })
        {
            foreach (var kind in new[] { "bad json", "truncated event", "unknown engine type", "unannounced attachment", "foreign namespace", "oversized" })
            {
                data.Add(version, "websocket", kind);
            }

            foreach (var kind in new[] { "bad json", "foreign namespace", "oversized" })
            {
                data.Add(version, "polling", kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_malformed_packet_closes_only_its_client_is_logged_and_never_reaches_the_backend(string version, string transport, string kind)
    {
        await using var cluster = TestCluster.Create("malformed");
        var backend = new RecordingBackend("b");
        await cluster.StartBackendAsync(b => backend.Serve(b, "/", "/custom"));
        var logs = new LogCapture();
        await using var distributor = await LoggedDistributor.StartAsync(
            cluster, ["/", "/custom"], logs, options => options.Server.Engine.MaxPayload = MaxPayload);
        await using var clients = await NodeClientDriver.StartAsync(version, output);

        await clients.ConnectAsync("healthy", distributor.Url, "/", connection: "healthy");
        await clients.ConnectAsync("bad", distributor.Url, "/", transports: [transport], connection: "bad");
        var badId = (await clients.EmitWithAckAsync("bad", "whoami", []))[0].GetString()!;
        var engineId = (await clients.WaitForEventAsync("bad", "$connect")).EngineId!;
        var eventsBefore = backend.EventCount(badId);

        var expectedLog = await SendAsync(clients, kind);

        await clients.WaitForDisconnectAsync("bad");
        await Eventually.TrueAsync(() => backend.Disconnects.ContainsKey(badId), "the backend saw the bad socket leave");

        // The disconnect handler runs on the socket's queue after any event that reached it, so the count is final.
        Assert.Equal(eventsBefore, backend.EventCount(badId));
        output.WriteLine($"backend disconnect reason: {backend.Disconnects[badId]}");
        Assert.Equal("parse error", backend.Disconnects[badId]);

        // A marker from a healthy client on the same distributor still goes through, and it was not disturbed.
        await clients.EmitAsync("healthy", "message", "marker");
        await clients.WaitForEventAsync("healthy", "message-back", e => e.String(0) == "marker");
        Assert.Equal(0, clients.Count("healthy", "$disconnect"));
        Assert.Equal(eventsBefore, backend.EventCount(badId));

        await Eventually.TrueAsync(
            () => logs.Contains(engineId, expectedLog),
            $"the distributor logged why session {engineId} was closed (\"{expectedLog}\"); logs:\n{logs.Dump()}");
    }

    /// <summary>Sends the malformed input; returns the expected part of the log line.</summary>
    private static async Task<string> SendAsync(NodeClientDriver clients, string kind)
    {
        switch (kind)
        {
            case "bad json":
                await clients.SendRawAsync("bad", "42[bad json");
                return "invalid Socket.IO packet";
            case "truncated event":
                await clients.SendRawAsync("bad", "42[\"x\"");
                return "invalid Socket.IO packet";
            case "unknown engine type":
                await clients.SendRawAsync("bad", "9");
                return "invalid WebSocket frame";
            case "unannounced attachment":
                await clients.SendRawBinaryAsync("bad", [1, 2, 3]);
                return "a binary message arrived that no packet announced";
            case "foreign namespace":
                await clients.SendRawAsync("bad", "42/custom,[\"x\"]");
                return "namespace '/custom', which this client is not connected to";
            case "oversized":
                await clients.EmitAsync("bad", "message", new string('x', MaxPayload + 1000));
                return $"over maxPayload {MaxPayload}";
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
