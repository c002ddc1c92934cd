using Microsoft.CodeAnalysis;

namespace SocketIO.Distributor.Generators;

/// <summary>The generator's diagnostics: each says what to change in the contract.</summary>
internal static class ContractDiagnostics
{
    private const string Category = "SocketIO.Distributor.Contracts";

    public static readonly DiagnosticDescriptor UnsupportedReturnType = new(
        "SIOD001", "Contract method returns an unsupported type",
        "'{0}' returns {1}: a client-to-server contract method returns void or Task (an event) or Task<T> (a request whose result the client's callback receives)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingClientContract = new(
        "SIOD002", "Contract has no client interface",
        "[SocketIOContract] on '{0}' needs Client = typeof(an interface of the events the server sends), such as Client = typeof(I{1}Client)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ClientMethodNotVoid = new(
        "SIOD003", "Client contract method does not return void",
        "'{0}' returns {1}: a server-to-client event returns void and takes at most 3 parameters",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateEvent = new(
        "SIOD004", "Two contract methods have the same event name",
        "'{0}' and '{1}' are both the event '{2}': rename one or set [SocketIOEvent(\"...\")]",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor AttributeDoesNotFit = new(
        "SIOD005", "Validation attribute does not fit the member's type",
        "[{0}] on '{1}' needs {2}, but '{1}' is {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ReservedEvent = new(
        "SIOD006", "Event name is reserved",
        "'{0}' is the event '{1}', which Socket.IO reserves: choose another name with [SocketIOEvent(\"...\")]",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadNamespace = new(
        "SIOD007", "Contract namespace is invalid",
        "[SocketIOContract(\"{0}\")] on '{1}': a namespace starts with '/', such as \"/chat\"",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadJsonContext = new(
        "SIOD008", "Json is not a JsonSerializerContext",
        "Json = typeof({0}) on '{1}': give a partial class deriving from System.Text.Json.Serialization.JsonSerializerContext with [JsonSerializable(typeof(...))] for each payload type",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedMethod = new(
        "SIOD009", "Contract method has an unsupported shape",
        "'{0}' {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
