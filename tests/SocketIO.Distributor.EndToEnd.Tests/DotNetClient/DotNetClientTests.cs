using SocketIO.Distributor.Testing;
using SocketIOClient.Transport;

namespace SocketIO.Distributor.EndToEnd.Tests.DotNetClient;

/// <summary>
/// The NuGet SocketIOClient (3.0.6, Engine.IO 4) in-process against the echo host: both namespaces, auth,
/// events with strings, numbers, objects and byte arrays, acks both ways, the refused namespace, a clean disconnect.
/// </summary>
public sealed class DotNetClientTests
{
    private static readonly Dictionary<string, string> Auth = new() { ["token"] = "e2e-token", ["user"] = "dotnet" };
    private static readonly string[] Namespaces = ["/", "/custom"];

    private static byte[] Binary() => [0, 1, 2, 3, 127, 128, 254, 255];

    [Fact]
    public Task WebSocket_only() => RunAsync(TransportProtocol.WebSocket, autoUpgrade: false);

    [Fact]
    public Task Polling_only() => RunAsync(TransportProtocol.Polling, autoUpgrade: false);

    [Fact]
    public Task Polling_with_auto_upgrade() => RunAsync(TransportProtocol.Polling, autoUpgrade: true);

    private static async Task RunAsync(TransportProtocol transport, bool autoUpgrade)
    {
        // socket.io's default heartbeat, not the test suite's 300/200 ms: these checks are about the echo contract,
        // and the client and the server share this process, so a stall of half a second under a loaded CI machine
        // would end the session on both sides (the heartbeat has tests of its own).
        await using var server = await EchoServer.StartAsync("--ping-interval=25000", "--ping-timeout=20000");
        var checks = new CheckList();
        var expected = new List<string>();
        var exchanges = new List<string>();
        foreach (var nsp in Namespaces)
        {
            var answer = new object[] { "acked", new Dictionary<string, object> { ["from"] = nsp }, Binary() };
            await using var connection = new EchoConnection(server.Url, nsp, transport, autoUpgrade, Auth, answer);
            try
            {
                expected.AddRange(await CheckNamespaceAsync(checks, connection, answer));
                expected.Add(CheckTransport(checks, connection, transport, autoUpgrade));
                expected.Add(await CheckDisconnectAsync(checks, connection));
            }
            finally
            {
                exchanges.Add($"{nsp}: {connection.Probe}; client {connection.Reported}; its last polling exchanges:{Environment.NewLine}{connection.Probe.Exchanges}");
            }
        }

        expected.Add(await CheckRefusedNamespaceAsync(checks, server.Url, transport, autoUpgrade));
        // On a failure, what the client reported and what went over HTTP are part of the message (a test that times
        // out says where it stopped; a WebSocket-only client shows its error or disconnect and no polling exchange).
        checks.AssertAllPassed(
            expected,
            $"SocketIOClient 3.0.6 ({transport}{(autoUpgrade ? ", auto upgrade" : "")}) against {server.Url}{Environment.NewLine}{string.Join(Environment.NewLine, exchanges)}{Environment.NewLine}");
    }

    /// <summary>Runs the echo contract on one namespace; returns the names of the checks it must have recorded.</summary>
    private static async Task<IEnumerable<string>> CheckNamespaceAsync(CheckList checks, EchoConnection connection, object[] serverAckAnswer)
    {
        var nsp = connection.Namespace;
        var names = new List<string>();
        async Task Step(string name, Func<Task> body)
        {
            names.Add($"{nsp} {name}");
            await checks.StepAsync($"{nsp} {name}", body);
        }

        await Step("connect", async () =>
        {
            var lag = await connection.ConnectAsync();
            checks.Record($"{nsp} connect", connection.Connected, $"Connected {lag.TotalMilliseconds:0} ms after ConnectAsync returned");
        });
        if (!connection.Connected)
        {
            return names;
        }

        await Step("auth", async () => checks.Equal($"{nsp} auth", CanonicalJson.FromArgs(Auth), CanonicalJson.FromResponse(await connection.Auth)));

        var messages = new Dictionary<string, object[]>
        {
            ["string"] = ["hello, ünïcødé ✓"],
            ["number"] = [42.5],
            ["object"] = [new Dictionary<string, object?> { ["a"] = 1, ["nested"] = new object?[] { 1, "two", null, true } }],
            ["binary"] = [Binary()],
            ["mixed args with nested binary"] = ["several", 7, new Dictionary<string, object> { ["file"] = Binary(), ["name"] = "f.bin" }],
        };
        foreach (var (kind, args) in messages)
        {
            await Step($"message-back {kind}", async () =>
                checks.Equal($"{nsp} message-back {kind}", CanonicalJson.FromArgs(args), CanonicalJson.FromResponse(await connection.EchoAsync(args))));
        }

        // The typed accessors users call, not only the raw JSON.
        await Step("message-back typed GetValue<string>", async () =>
        {
            var back = await connection.EchoAsync("typed");
            checks.Equal($"{nsp} message-back typed GetValue<string>", "typed", back.GetValue<string>(0));
        });
        await Step("message-back typed GetValue<byte[]>", async () =>
        {
            var back = await connection.EchoAsync(Binary());
            checks.Equal($"{nsp} message-back typed GetValue<byte[]>", Convert.ToHexString(Binary()), Convert.ToHexString(back.GetValue<byte[]>(0)));
        });

        var acked = new Dictionary<string, object[]>
        {
            ["json"] = ["ack me", 3, new Dictionary<string, object> { ["deep"] = new[] { 1, 2 } }],
            ["binary"] = [Binary(), new Dictionary<string, object> { ["inner"] = Binary() }],
        };
        foreach (var (kind, args) in acked)
        {
            await Step($"message-with-ack {kind}", async () =>
                checks.Equal($"{nsp} message-with-ack {kind}", CanonicalJson.FromArgs(args), CanonicalJson.FromResponse(await connection.EmitWithAckAsync("message-with-ack", args))));
        }

        await Step("server-ack round trip", async () =>
        {
            object[] request = ["please ack", new Dictionary<string, object> { ["n"] = 1 }];
            var (asked, received) = await connection.RoundTripServerAckAsync(request);
            checks.Equal($"{nsp} server-ack-me", CanonicalJson.FromArgs(request), CanonicalJson.FromResponse(asked));
            checks.Equal($"{nsp} server-ack-received", CanonicalJson.FromArgs(serverAckAnswer), CanonicalJson.FromResponse(received));
            checks.Record($"{nsp} server-ack round trip", true, "");
        });
        names.Add($"{nsp} server-ack-me");
        names.Add($"{nsp} server-ack-received");
        return names;
    }

    private static string CheckTransport(CheckList checks, EchoConnection connection, TransportProtocol transport, bool autoUpgrade)
    {
        var name = $"{connection.Namespace} transport";
        var probe = connection.Probe;
        var ok = transport == TransportProtocol.WebSocket || autoUpgrade
            ? probe.WebSocketsOpened == 1
            : probe.WebSocketsOpened == 0 && probe.PollingGets > 1 && probe.PollingPosts > 0;
        checks.Record(name, ok, probe.ToString());
        return name;
    }

    private static async Task<string> CheckDisconnectAsync(CheckList checks, EchoConnection connection)
    {
        var name = $"{connection.Namespace} disconnect";
        await checks.StepAsync(name, async () =>
        {
            var reason = await connection.DisconnectAsync();
            checks.Record(name, !connection.Connected, $"reason: {reason}, Connected: {connection.Connected}");
        });
        return name;
    }

    private static async Task<string> CheckRefusedNamespaceAsync(CheckList checks, string url, TransportProtocol transport, bool autoUpgrade)
    {
        const string name = "/nope is refused";
        await checks.StepAsync(name, async () =>
        {
            await using var nope = new EchoConnection(url, "/nope", transport, autoUpgrade, Auth, []);
            await nope.StartConnectingAsync();
            var error = await nope.Error.WithTimeout("the error for /nope");
            checks.Record(name, error.Contains("Invalid namespace", StringComparison.Ordinal) && !nope.Connected, $"error: {error}, Connected: {nope.Connected}");
        });
        return name;
    }
}
