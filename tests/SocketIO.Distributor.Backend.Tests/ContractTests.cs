using System.ComponentModel.DataAnnotations;
using SocketIO.Distributor.Backend.Contracts;
using SocketIO.Distributor.Backend.Tests.Harness;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests;

/// <summary>An order desk: a contract without a JSON context (payloads read with BackendOptions.Json), with nested records and lists.</summary>
[SocketIOContract("/desk", Client = typeof(IDeskClient))]
public interface IDeskServer
{
    Task<int> Place(Order order);

    void Note([StringLength(5)] string text, int? priority);

    Task Fail(bool refuse);
}

public interface IDeskClient
{
    void Placed(Order order, string by);
}

public sealed record Order([property: Range(1, 10)] int Quantity, List<OrderLine> Lines, string? Comment);

/// <summary>A contract whose JSON context lacks one of its types (<see cref="Receipt"/>; primitives such as the bool need no entry).</summary>
[SocketIOContract("/strict", Client = typeof(IStrictClient), Json = typeof(StrictJson))]
public interface IStrictServer
{
    Task<Receipt> Accept(Order order);

    Task<bool> Check(string sku);
}

public sealed record Receipt(int Number);

public interface IStrictClient
{
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Order))]
internal sealed partial class StrictJson : System.Text.Json.Serialization.JsonSerializerContext;

public sealed record OrderLine([property: Required] string Sku, [property: Range(0.5, 99.5)] double Weight);

/// <summary>
/// Typed contracts on the real bus (a fake distributor): validation before the handler, error acks
/// and <c>siod:error</c> events naming the field, handler failures as coded errors, counters.
/// </summary>
public sealed class ContractTests
{
    private sealed class Desk(ContractSocket<IDeskClient> socket, List<string> notes) : IDeskServer
    {
        public Task<int> Place(Order order)
        {
            socket.Client.Placed(order, socket.Id);
            return Task.FromResult(order.Lines.Count);
        }

        public void Note(string text, int? priority)
        {
            lock (notes)
            {
                notes.Add($"{text}:{priority?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
            }
        }

        public async Task Fail(bool refuse)
        {
            await Task.Yield();
            throw refuse ? new SocketHandlerException("not today") : new InvalidOperationException("bug");
        }
    }

    private static async Task<BackendHarness> StartAsync(List<string> notes, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var h = await BackendHarness.StartAsync(b => DeskContract.Serve(b, socket => new Desk(socket, notes)), test: test);
        await h.ConnectAsync("s1", "/desk");
        return h;
    }

    [Fact]
    public async Task A_valid_request_runs_its_handler_and_is_answered_null_then_the_result()
    {
        await using var h = await StartAsync([]);

        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,5["place",{"quantity":2,"lines":[{"sku":"a","weight":1},{"sku":"b","weight":2.5}]}]""");

        Assert.Equal(["42/desk,[\"placed\",{\"quantity\":2,\"lines\":[{\"sku\":\"a\",\"weight\":1},{\"sku\":\"b\",\"weight\":2.5}],\"comment\":null},\"s1\"]"], BackendHarness.Text((await h.SentAsync("s1", "42/desk")).Frames));
        Assert.Equal(["43/desk,5[null,2]"], BackendHarness.Text((await h.SentAsync("s1", "43/desk,5")).Frames));
        Assert.Equal(0, h.Backend.ContractStatistics.InvalidPayloads);
    }

    [Theory]
    [InlineData("""{"quantity":11,"lines":[]}""", "quantity", "quantity must be between 1 and 10")]
    [InlineData("""{"quantity":1}""", "lines", "lines is required")]
    [InlineData("""{"quantity":1,"lines":[{"sku":"a","weight":1},{"sku":"b","weight":100}]}""", "lines[1].weight", "lines[1].weight must be between 0.5 and 99.5")]
    [InlineData("""{"quantity":1,"lines":[{"sku":" ","weight":1}]}""", "lines[0].sku", "lines[0].sku is required")]
    [InlineData("""{"quantity":"many","lines":[]}""", "quantity", "quantity has the wrong type")]
    [InlineData("""{"quantity":1,"lines":[{"sku":"a","weight":[]}]}""", "lines[0].weight", "lines[0].weight has the wrong type")]
    [InlineData("""[]""", "order", "order has the wrong type")]
    [InlineData("""null""", "order", "order is required")]
    public async Task An_invalid_request_is_answered_with_an_error_naming_the_field_and_its_handler_never_runs(string order, string field, string message)
    {
        await using var h = await StartAsync([]);

        h.D1.SendPacket(h.Backend.Id, "s1", "2/desk,7[\"place\"," + order + "]");

        var ack = BackendHarness.Text((await h.SentAsync("s1", "43/desk,7")).Frames);
        Assert.Equal([$"43/desk,7[{{\"message\":\"{message}\",\"code\":\"INVALID_PAYLOAD\",\"data\":{{\"event\":\"place\",\"argument\":\"order\",\"field\":\"{field}\"}}}}]"], ack);
        Assert.Equal(1, h.Backend.ContractStatistics.InvalidPayloads);
        Assert.DoesNotContain(h.D1.ReceivedOf<Protocol.Bus.SendToSocket>(), s => BackendHarness.Text(s.Frames)[0].StartsWith("42/desk,[\"placed\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_without_a_callback_is_refused_with_a_siod_error_event_and_a_valid_one_reaches_its_handler()
    {
        List<string> notes = [];
        await using var h = await StartAsync(notes);

        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,["note","too long"]""");
        var refused = BackendHarness.Text((await h.SentAsync("s1", "42/desk,[\"siod:error\"")).Frames);
        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,9["note","hi",3]""");
        var done = BackendHarness.Text((await h.SentAsync("s1", "43/desk,9")).Frames);
        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,["note","ok"]""");
        await Eventually.TrueAsync(() => { lock (notes) { return notes.Count == 2; } }, "two notes handled");

        Assert.Equal(["42/desk,[\"siod:error\",{\"message\":\"text must be at most 5 characters\",\"code\":\"INVALID_PAYLOAD\",\"data\":{\"event\":\"note\",\"argument\":\"text\",\"field\":\"text\"}}]"], refused);
        Assert.Equal(["43/desk,9[null]"], done);
        Assert.Equal(["hi:3", "ok:none"], notes);
    }

    [Fact]
    public async Task A_handler_that_refuses_or_fails_is_answered_with_a_coded_error()
    {
        await using var h = await StartAsync([]);

        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,1["fail",true]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,2["fail",false]""");

        Assert.Equal(["43/desk,1[{\"message\":\"not today\",\"code\":\"REFUSED\"}]"], BackendHarness.Text((await h.SentAsync("s1", "43/desk,1")).Frames));
        Assert.Equal(["43/desk,2[{\"message\":\"Internal server error\",\"code\":\"INTERNAL_ERROR\"}]"], BackendHarness.Text((await h.SentAsync("s1", "43/desk,2")).Frames));
        Assert.Equal(0, h.Backend.ContractStatistics.InvalidPayloads);
    }

    [Fact]
    public async Task An_event_outside_the_contract_is_refused_and_counted()
    {
        await using var h = await StartAsync([]);

        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,4["steal",{"all":true}]""");
        h.D1.SendPacket(h.Backend.Id, "s1", """2/desk,["steal"]""");

        Assert.Equal(["43/desk,4[{\"message\":\"event steal is not in the contract of /desk\",\"code\":\"UNKNOWN_EVENT\",\"data\":{\"event\":\"steal\"}}]"], BackendHarness.Text((await h.SentAsync("s1", "43/desk,4")).Frames));
        await h.SentAsync("s1", "42/desk,[\"siod:error\"");
        Assert.Equal(2, h.Backend.ContractStatistics.UnknownEvents);
        Assert.Equal(["place", "note", "fail"], DeskContract.Events);
    }

    [Fact]
    public async Task A_JSON_context_lacking_a_payload_type_fails_at_start_up_naming_the_attribute_to_add()
    {
        await using var backend = new SocketIOBackend(new BackendOptions());

        var error = Assert.Throws<InvalidOperationException>(() => StrictContract.Serve(backend, _ => throw new InvalidOperationException("never called")));

        Assert.Equal("StrictJson has no JSON metadata for SocketIO.Distributor.Backend.Tests.Receipt, a payload of IStrictServer: add [JsonSerializable(typeof(Receipt))] to StrictJson.", error.Message);
        Assert.Empty(backend.Namespaces);
    }
}
