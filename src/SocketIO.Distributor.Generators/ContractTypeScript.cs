using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace SocketIO.Distributor.Generators;

/// <summary>Writes a contract's TypeScript namespace: <c>ServerToClientEvents</c> and <c>ClientToServerEvents</c> for socket.io-client's <c>Socket&lt;S, C&gt;</c>.</summary>
internal static class ContractTypeScript
{
    private static readonly Regex Identifier = new("^[A-Za-z_$][A-Za-z0-9_$]*$");

    public static string Write(INamedTypeSymbol contract, string nsp, string baseName, IReadOnlyList<ContractMethod> methods, IReadOnlyList<ContractMethod> clientMethods, TypeScriptWriter types)
    {
        var sb = new StringBuilder();
        sb.Append("/** The contract of ").Append(nsp).Append(" (C# ").Append(contract.ToDisplayString()).AppendLine("). */");
        sb.Append("export declare namespace ").Append(baseName).AppendLine(" {");
        sb.Append("  export type Namespace = \"").Append(nsp).AppendLine("\";");
        sb.AppendLine();
        sb.AppendLine("  /** What the server sends. */");
        sb.AppendLine("  export interface ServerToClientEvents {");
        foreach (var method in clientMethods)
        {
            sb.Append("    ").Append(Key(method.EventName)).Append(": (").Append(Parameters(method, types)).AppendLine(") => void;");
        }

        sb.AppendLine("    /** An event sent without a callback was refused. */");
        sb.AppendLine("    \"siod:error\": (error: SocketError) => void;");
        sb.AppendLine("  }");
        sb.AppendLine();
        sb.AppendLine("  /** What the client sends: events, and requests whose callback gets (error) or (null, result). */");
        sb.AppendLine("  export interface ClientToServerEvents {");
        foreach (var method in methods)
        {
            var parameters = Parameters(method, types);
            var callback = method.Kind == ContractMethodKind.Request
                ? "callback: Reply<" + types.TypeOf(method.Result!) + ">"
                : "callback?: Done";
            sb.Append("    ").Append(Key(method.EventName)).Append(": (").Append(parameters.Length == 0 ? callback : parameters + ", " + callback).AppendLine(") => void;");
        }

        sb.AppendLine("  }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static string Parameters(ContractMethod method, TypeScriptWriter types) =>
        string.Join(", ", method.Symbol.Parameters.Select(p => p.Name + ": " + types.TypeOf(p.Type, p.GetAttributes())));

    private static string Key(string name) => Identifier.IsMatch(name) ? name : "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
