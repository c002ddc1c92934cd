using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SocketIO.Distributor.Generators.Tests;

/// <summary>The generator on good and broken contracts: what compiles, and the diagnostic each mistake gets.</summary>
public sealed class ContractGeneratorTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.ComponentModel.DataAnnotations;
        using System.Threading.Tasks;
        using SocketIO.Distributor.Backend;
        using SocketIO.Distributor.Backend.Contracts;

        namespace Sample;

        """;

    private const string ChatContract = """
        [SocketIOContract("/chat", Client = typeof(IChatClient))]
        public interface IChatServer
        {
            Task<string> PostMessage(PostMessageRequest request);
            Task Typing(bool on);
            [SocketIOEvent("leave-room")] void LeaveRoom([StringLength(32)] string room);
        }

        public interface IChatClient
        {
            void ChatMessage(ChatMessage message);
            void Typing(string who, bool on);
        }

        public sealed record PostMessageRequest([property: Required, StringLength(500)] string Message, [property: AllowedValues("en", "ru")] string Channel, string? ReplyTo, List<Mention>? Mentions);
        public sealed record Mention([property: Range(0, 500)] int At, string Name);
        public sealed record ChatMessage(string Sender, string Message, int? Likes);

        """;

    private const string GoodHandler = """
        public sealed class ChatSession(ContractSocket<IChatClient> socket) : IChatServer
        {
            public Task<string> PostMessage(PostMessageRequest request)
            {
                socket.Namespace.Client.ChatMessage(new ChatMessage("me", request.Message, null));
                return Task.FromResult("ok");
            }

            public Task Typing(bool on)
            {
                socket.Others.Client.Typing(socket.Id, on);
                return Task.CompletedTask;
            }

            public void LeaveRoom(string room) => socket.Socket.Leave(room);

            public static void Serve(SocketIOBackend backend) => ChatContract.Serve(backend, s => new ChatSession(s));
        }
        """;

    [Fact]
    public void A_good_contract_compiles_without_diagnostics_into_a_binding_and_TypeScript_declarations()
    {
        var result = ContractCompilation.Run(Usings + ChatContract + GoodHandler);

        Assert.True(result.GeneratorDiagnostics.IsEmpty && !result.CompilerDiagnostics.Any(d => d.Severity >= DiagnosticSeverity.Warning), result.Describe());
        var binding = result.Generated["Sample.ChatContract.g.cs"];
        Assert.Contains("public static partial class ChatContract", binding, StringComparison.Ordinal);
        Assert.Contains("socket.On(\"leave-room\"", binding, StringComparison.Ordinal);
        Assert.Contains("f + \" must be at most 500 characters\"", binding, StringComparison.Ordinal);
        Assert.Contains("f + \" must be between 0 and 500\"", binding, StringComparison.Ordinal);
        Assert.Contains("export declare namespace Chat {", result.TypeScript, StringComparison.Ordinal);
        Assert.Contains("postMessage: (request: PostMessageRequest, callback: Reply<string>) => void;", result.TypeScript, StringComparison.Ordinal);
        Assert.Contains("typing: (on: boolean, callback?: Done) => void;", result.TypeScript, StringComparison.Ordinal);
        Assert.Contains("\"leave-room\": (room: string, callback?: Done) => void;", result.TypeScript, StringComparison.Ordinal);
        Assert.Contains("typing: (who: string, on: boolean) => void;", result.TypeScript, StringComparison.Ordinal);
        Assert.Contains("""
            export interface PostMessageRequest {
              message: string;
              channel: "en" | "ru";
              replyTo?: string | null;
              mentions?: Mention[] | null;
            }
            """.ReplaceLineEndings("\n"), result.TypeScript.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("likes?: number | null;", result.TypeScript, StringComparison.Ordinal);
    }

    [Fact]
    public void A_handler_missing_a_method_of_the_contract_fails_the_build()
    {
        var handler = GoodHandler.Replace("""
                public void LeaveRoom(string room) => socket.Socket.Leave(room);
            """, string.Empty, StringComparison.Ordinal);

        var result = ContractCompilation.Run(Usings + ChatContract + handler);

        var error = Assert.Single(result.Errors);
        Assert.Equal("CS0535", error.Id);
        Assert.Equal("'ChatSession' does not implement interface member 'IChatServer.LeaveRoom(string)'", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_handler_taking_the_wrong_payload_type_fails_the_build()
    {
        var handler = GoodHandler.Replace("public Task Typing(bool on)", "public Task Typing(string on)", StringComparison.Ordinal)
            .Replace("socket.Others.Client.Typing(socket.Id, on);", string.Empty, StringComparison.Ordinal);

        var result = ContractCompilation.Run(Usings + ChatContract + handler);

        var error = Assert.Single(result.Errors);
        Assert.Equal("CS0535", error.Id);
        Assert.Contains("IChatServer.Typing(bool)", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Emitting_the_wrong_type_through_the_client_proxy_fails_the_build()
    {
        var handler = GoodHandler.Replace("socket.Others.Client.Typing(socket.Id, on);", "socket.Others.Client.Typing(socket.Id, 42);", StringComparison.Ordinal);

        var result = ContractCompilation.Run(Usings + ChatContract + handler);

        var error = Assert.Single(result.Errors);
        Assert.Equal("CS1503", error.Id);
    }

    public static TheoryData<string, string, string, string> BrokenContracts => new()
    {
        {
            "a method returning int",
            """[SocketIOContract("/a", Client = typeof(IAClient))] public interface IAServer { int Count(); } public interface IAClient { }""",
            "SIOD001",
            "'Count' returns int: a client-to-server contract method returns void or Task (an event) or Task<T> (a request whose result the client's callback receives)"
        },
        {
            "no client interface",
            """[SocketIOContract("/a")] public interface IAServer { Task Ping(); }""",
            "SIOD002",
            "[SocketIOContract] on 'IAServer' needs Client = typeof(an interface of the events the server sends), such as Client = typeof(IAClient)"
        },
        {
            "a client method returning a value",
            """[SocketIOContract("/a", Client = typeof(IAClient))] public interface IAServer { Task Ping(); } public interface IAClient { Task<int> Ask(); }""",
            "SIOD003",
            "'Ask' returns System.Threading.Tasks.Task<int>: a server-to-client event returns void and takes at most 3 parameters"
        },
        {
            "two methods with one event name",
            """[SocketIOContract("/a", Client = typeof(IAClient))] public interface IAServer { Task Ping(); [SocketIOEvent("ping")] Task Pong(); } public interface IAClient { }""",
            "SIOD004",
            "'Ping' and 'Pong' are both the event 'ping': rename one or set [SocketIOEvent(\"...\")]"
        },
        {
            "a range on a string",
            """[SocketIOContract("/a", Client = typeof(IAClient))] public interface IAServer { Task Move([Range(0, 8)] string cell); } public interface IAClient { }""",
            "SIOD005",
            "[Range] on 'cell' needs a number, but 'cell' is string"
        },
        {
            "a reserved event",
            """[SocketIOContract("/a", Client = typeof(IAClient))] public interface IAServer { Task Disconnect(); } public interface IAClient { }""",
            "SIOD006",
            "'Disconnect' is the event 'disconnect', which Socket.IO reserves: choose another name with [SocketIOEvent(\"...\")]"
        },
        {
            "a namespace without a slash",
            """[SocketIOContract("a", Client = typeof(IAClient))] public interface IAServer { Task Ping(); } public interface IAClient { }""",
            "SIOD007",
            "[SocketIOContract(\"a\")] on 'IAServer': a namespace starts with '/', such as \"/chat\""
        },
        {
            "a JSON context that is not one",
            """[SocketIOContract("/a", Client = typeof(IAClient), Json = typeof(string))] public interface IAServer { Task Ping(); } public interface IAClient { }""",
            "SIOD008",
            "Json = typeof(string) on 'IAServer': give a partial class deriving from System.Text.Json.Serialization.JsonSerializerContext with [JsonSerializable(typeof(...))] for each payload type"
        },
        {
            "a generic method",
            """[SocketIOContract("/a", Client = typeof(IAClient))] public interface IAServer { Task Ping<T>(T value); } public interface IAClient { }""",
            "SIOD009",
            "'Ping' is generic: an event's payload types must be known at build time"
        },
    };

    [Theory]
    [MemberData(nameof(BrokenContracts))]
    public void A_broken_contract_gets_one_diagnostic_saying_what_to_fix(string what, string source, string id, string message)
    {
        var result = ContractCompilation.Run(Usings + source);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.True(diagnostic.Id == id, $"{what}: {diagnostic}");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Contract.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.DoesNotContain(result.Generated.Keys, k => k.EndsWith("Contract.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void An_edit_elsewhere_in_the_project_reuses_the_contract_outputs()
    {
        var compilation = ContractCompilation.Create(Usings + ChatContract + GoodHandler);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new ContractGenerator().AsSourceGenerator()],
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);
        var first = driver.GetRunResult().GeneratedTrees.Select(t => t.GetText().ToString()).ToList();

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Sample; public sealed class Unrelated { }", new CSharpParseOptions(LanguageVersion.Latest))));

        var run = driver.GetRunResult();
        var outputs = run.Results[0].TrackedSteps[ContractGenerator.TrackingName].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"the contract was read again with a new result ({o.Reason})"));
        Assert.Equal(first, run.GeneratedTrees.Select(t => t.GetText().ToString()));
    }
}
