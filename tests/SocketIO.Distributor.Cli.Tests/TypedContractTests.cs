using System.Diagnostics.Metrics;
using System.Text.Json;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// The demo's typed contracts (<c>IChatServer</c>, <c>ITicTacToeServer</c>) with a real socket.io-client
/// v4 across two distributors: payloads are checked before the handlers run, refusals name the field,
/// events outside the contract are refused, and every refusal is counted.
/// </summary>
public sealed class TypedContractTests(ITestOutputHelper output) : IAsyncLifetime
{
    private DemoUnderTest _demo = null!;
    private NodeClientDriver _clients = null!;

    public async Task InitializeAsync()
    {
        _demo = await DemoUnderTest.StartAsync("typed");
        _clients = await NodeClientDriver.StartAsync("v4", output);
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        await _demo.DisposeAsync();
    }

    [Fact]
    public async Task The_typed_chat_delivers_a_valid_message_to_a_client_on_the_other_distributor()
    {
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/chat", auth: new { name = "alice" });
        await _clients.ConnectAsync("bob", _demo.Urls[1], "/chat", auth: new { name = "bob" });

        var ack = await _clients.EmitWithAckAsync("alice", "postMessage", [new { message = "hello", channel = "en" }]);

        Assert.Equal(JsonValueKind.Null, ack[0].ValueKind);
        Assert.Equal("ok", ack[1].GetString());
        var received = await _clients.WaitForEventAsync("bob", "chatMessage");
        Assert.Equal("""{"sender":"alice","message":"hello","channel":"en"}""", received.Args[0].GetRawText());
    }

    [Fact]
    public async Task An_event_outside_the_contract_is_refused_with_an_error_ack_and_counted()
    {
        var statistics = _demo.Backends[0].ContractStatistics;
        using var metric = new RefusalMetric();
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/chat", auth: new { name = "alice" });

        var ack = await _clients.EmitWithAckAsync("alice", "deleteEverything", ["now"]);

        Assert.Equal("UNKNOWN_EVENT", ack[0].GetProperty("code").GetString());
        Assert.Equal("event deleteEverything is not in the contract of /chat", ack[0].GetProperty("message").GetString());
        Assert.Equal("deleteEverything", ack[0].GetProperty("data").GetProperty("event").GetString());
        Assert.Equal(1, statistics.UnknownEvents);
        Assert.Equal(0, statistics.InvalidPayloads);
        Assert.True(metric.Count("unknown_event") >= 1, "siod.backend.contract_refusals{reason=unknown_event} did not move");
    }

    [Fact]
    public async Task Without_a_callback_a_refused_event_comes_back_as_a_siod_error_event_and_is_counted()
    {
        var statistics = _demo.Backends[0].ContractStatistics;
        using var metric = new RefusalMetric();
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/chat", auth: new { name = "alice" });

        await _clients.EmitAsync("alice", "postMessage", new { message = new string('x', 501), channel = "en" });
        var invalid = await _clients.WaitForEventAsync("alice", "siod:error");
        await _clients.EmitAsync("alice", "shout", "hi");
        var unknown = await _clients.WaitForEventAsync("alice", "siod:error", e => e.Sequence > invalid.Sequence);

        Assert.Equal("INVALID_PAYLOAD", invalid.Args[0].GetProperty("code").GetString());
        Assert.Equal("message must be at most 500 characters", invalid.Args[0].GetProperty("message").GetString());
        Assert.Equal("message", invalid.Args[0].GetProperty("data").GetProperty("field").GetString());
        Assert.Equal("UNKNOWN_EVENT", unknown.Args[0].GetProperty("code").GetString());
        Assert.Equal(1, statistics.InvalidPayloads);
        Assert.Equal(1, statistics.UnknownEvents);
        Assert.True(metric.Count("invalid_payload") >= 1 && metric.Count("unknown_event") >= 1, "siod.backend.contract_refusals did not move");
        Assert.Equal(0, _clients.Count("alice", "chatMessage"));
    }

    [Fact]
    public async Task Tic_tac_toe_checks_ranges_types_and_patterns_before_its_handlers_run()
    {
        var statistics = _demo.Backends[1].ContractStatistics;
        await _clients.ConnectAsync("alice", _demo.Urls[0], "/gameA");
        await _clients.ConnectAsync("bob", _demo.Urls[1], "/gameA");

        var badTable = await _clients.EmitWithAckAsync("alice", "join", ["no tables!"]);
        var joined = await _clients.EmitWithAckAsync("alice", "join", ["t1"]);
        await _clients.EmitWithAckAsync("bob", "join", ["t1"]);
        var outOfRange = await _clients.EmitWithAckAsync("alice", "move", [9]);
        var notANumber = await _clients.EmitWithAckAsync("alice", "move", ["4"]);
        var played = await _clients.EmitWithAckAsync("alice", "move", [4]);
        var taken = await _clients.EmitWithAckAsync("alice", "move", [4]);

        Assert.Equal("table must match [A-Za-z0-9_-]+", badTable[0].GetProperty("message").GetString());
        Assert.Equal("t1", joined[1].GetProperty("table").GetString());
        Assert.Equal("cell must be between 0 and 8", outOfRange[0].GetProperty("message").GetString());
        Assert.Equal("cell", outOfRange[0].GetProperty("data").GetProperty("field").GetString());
        Assert.Equal("cell has the wrong type", notANumber[0].GetProperty("message").GetString());
        Assert.Equal("ok", played[1].GetString());
        Assert.Equal("REFUSED", taken[0].GetProperty("code").GetString());
        Assert.Equal("that cell is taken", taken[0].GetProperty("message").GetString());
        var board = await _clients.WaitForEventAsync("bob", "board");
        Assert.Equal("X", board.Args[0].GetProperty("cells")[4].GetString());
        Assert.Equal(3, statistics.InvalidPayloads);
    }

    /// <summary>Listens to <c>siod.backend.contract_refusals</c> (process-wide: other tests may add to it, never subtract).</summary>
    private sealed class RefusalMetric : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _counts = [];
        private readonly Lock _gate = new();

        public RefusalMetric()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "siod.backend.contract_refusals")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason" && tag.Value is string reason)
                    {
                        lock (_gate)
                        {
                            _counts[reason] = _counts.GetValueOrDefault(reason) + value;
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Count(string reason)
        {
            lock (_gate)
            {
                return _counts.GetValueOrDefault(reason);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
