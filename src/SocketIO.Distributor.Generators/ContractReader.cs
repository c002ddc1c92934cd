using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace SocketIO.Distributor.Generators;

/// <summary>Reads a contract interface, reports what is wrong with it, and writes its outputs.</summary>
internal static class ContractReader
{
    private static readonly string[] ReservedEvents =
        { "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", "siod:error" };

    public static ContractOutput Read(INamedTypeSymbol contract, AttributeData attribute, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        var location = contract.Locations.FirstOrDefault();
        var nsp = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? string.Empty : string.Empty;
        if (!nsp.StartsWith("/"))
        {
            diagnostics.Add(Diagnostic.Create(ContractDiagnostics.BadNamespace, location, nsp, contract.Name));
        }

        var baseName = BaseName(contract.Name);
        var client = Named(attribute, "Client");
        if (client is null || client.TypeKind != TypeKind.Interface)
        {
            diagnostics.Add(Diagnostic.Create(ContractDiagnostics.MissingClientContract, location, contract.Name, baseName));
        }

        var json = Named(attribute, "Json");
        if (json is not null && !DerivesFrom(json, "System.Text.Json.Serialization.JsonSerializerContext"))
        {
            diagnostics.Add(Diagnostic.Create(ContractDiagnostics.BadJsonContext, location, json.ToDisplayString(), contract.Name));
            json = null;
        }

        var methods = ServerMethods(contract, diagnostics);
        var clientMethods = client is null ? new List<ContractMethod>() : ClientMethods(client, diagnostics);
        cancellationToken.ThrowIfCancellationRequested();

        var hintName = (contract.ContainingNamespace.IsGlobalNamespace ? string.Empty : contract.ContainingNamespace.ToDisplayString() + ".") + baseName + "Contract.g.cs";
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) || client is null)
        {
            return new ContractOutput(hintName, string.Empty, string.Empty, new EquatableArray<string>(ImmutableArray<string>.Empty), new EquatableArray<Diagnostic>(diagnostics.ToImmutableArray()));
        }

        var shapes = new PayloadShapes(json is null || CamelCase(json));
        var validation = new ValidationWriter(shapes, diagnostics);
        var typeScript = new TypeScriptWriter(shapes);
        var binding = new BindingWriter(contract, client, json, nsp, baseName, methods, clientMethods, validation).Write();
        var declarations = ContractTypeScript.Write(contract, nsp, baseName, methods, clientMethods, typeScript);
        var failed = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        return new ContractOutput(
            hintName,
            failed ? string.Empty : binding,
            failed ? string.Empty : declarations,
            new EquatableArray<string>(failed ? ImmutableArray<string>.Empty : typeScript.Declarations.ToImmutableArray()),
            new EquatableArray<Diagnostic>(diagnostics.ToImmutableArray()));
    }

    /// <summary><c>IChatServer</c> is <c>Chat</c>; <c>IChat</c> is <c>Chat</c>.</summary>
    public static string BaseName(string name)
    {
        if (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]))
        {
            name = name.Substring(1);
        }

        return name.EndsWith("Server") && name.Length > "Server".Length ? name.Substring(0, name.Length - "Server".Length) : name;
    }

    private static List<ContractMethod> ServerMethods(INamedTypeSymbol contract, List<Diagnostic> diagnostics)
    {
        var methods = new List<ContractMethod>();
        var byEvent = new Dictionary<string, IMethodSymbol>();
        foreach (var method in AllMethods(contract))
        {
            var location = method.Locations.FirstOrDefault();
            if (!Supported(method, diagnostics))
            {
                continue;
            }

            ContractMethodKind kind;
            ITypeSymbol? result = null;
            var returns = method.ReturnType as INamedTypeSymbol;
            if (method.ReturnsVoid)
            {
                kind = ContractMethodKind.Void;
            }
            else if (returns?.ToDisplayString() == "System.Threading.Tasks.Task")
            {
                kind = ContractMethodKind.Task;
            }
            else if (returns is { IsGenericType: true } && returns.OriginalDefinition.ToDisplayString() == "System.Threading.Tasks.Task<TResult>")
            {
                kind = ContractMethodKind.Request;
                result = returns.TypeArguments[0];
            }
            else
            {
                diagnostics.Add(Diagnostic.Create(ContractDiagnostics.UnsupportedReturnType, location, method.Name, method.ReturnType.ToDisplayString()));
                continue;
            }

            var ev = EventName(method);
            if (ReservedEvents.Contains(ev))
            {
                diagnostics.Add(Diagnostic.Create(ContractDiagnostics.ReservedEvent, location, method.Name, ev));
                continue;
            }

            if (byEvent.TryGetValue(ev, out var other))
            {
                diagnostics.Add(Diagnostic.Create(ContractDiagnostics.DuplicateEvent, location, other.Name, method.Name, ev));
                continue;
            }

            byEvent[ev] = method;
            methods.Add(new ContractMethod(method, ev, kind, result));
        }

        return methods;
    }

    private static List<ContractMethod> ClientMethods(INamedTypeSymbol client, List<Diagnostic> diagnostics)
    {
        var methods = new List<ContractMethod>();
        var byEvent = new Dictionary<string, IMethodSymbol>();
        foreach (var method in AllMethods(client))
        {
            var location = method.Locations.FirstOrDefault();
            if (!Supported(method, diagnostics))
            {
                continue;
            }

            if (!method.ReturnsVoid || method.Parameters.Length > 3)
            {
                diagnostics.Add(Diagnostic.Create(ContractDiagnostics.ClientMethodNotVoid, location, method.Name, method.ReturnType.ToDisplayString()));
                continue;
            }

            var ev = EventName(method);
            if (ReservedEvents.Contains(ev))
            {
                diagnostics.Add(Diagnostic.Create(ContractDiagnostics.ReservedEvent, location, method.Name, ev));
                continue;
            }

            if (byEvent.TryGetValue(ev, out var other))
            {
                diagnostics.Add(Diagnostic.Create(ContractDiagnostics.DuplicateEvent, location, other.Name, method.Name, ev));
                continue;
            }

            byEvent[ev] = method;
            methods.Add(new ContractMethod(method, ev, ContractMethodKind.Void, null));
        }

        return methods;
    }

    private static bool Supported(IMethodSymbol method, List<Diagnostic> diagnostics)
    {
        var location = method.Locations.FirstOrDefault();
        if (method.IsGenericMethod)
        {
            diagnostics.Add(Diagnostic.Create(ContractDiagnostics.UnsupportedMethod, location, method.Name, "is generic: an event's payload types must be known at build time"));
            return false;
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            diagnostics.Add(Diagnostic.Create(ContractDiagnostics.UnsupportedMethod, location, method.Name, "has a ref, out, in or params parameter: each parameter is one argument of the event"));
            return false;
        }

        return true;
    }

    private static IEnumerable<IMethodSymbol> AllMethods(INamedTypeSymbol type) =>
        new[] { type }.Concat(type.AllInterfaces)
            .SelectMany(t => t.GetMembers().OfType<IMethodSymbol>())
            .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsAbstract && !m.IsStatic);

    private static string EventName(IMethodSymbol method)
    {
        var named = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "SocketIO.Distributor.Backend.Contracts.SocketIOEventAttribute");
        if (named is { ConstructorArguments.Length: 1 } && named.ConstructorArguments[0].Value is string name && name.Length > 0)
        {
            return name;
        }

        var bare = method.Name.EndsWith("Async") && method.Name.Length > 5 ? method.Name.Substring(0, method.Name.Length - 5) : method.Name;
        return PayloadShapes.CamelCase(bare);
    }

    private static INamedTypeSymbol? Named(AttributeData attribute, string name) =>
        attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value as INamedTypeSymbol;

    private static bool DerivesFrom(INamedTypeSymbol type, string baseName)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() == baseName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the JSON context names properties in camelCase ([JsonSourceGenerationOptions(JsonSerializerDefaults.Web)] or PropertyNamingPolicy = CamelCase).</summary>
    private static bool CamelCase(INamedTypeSymbol json)
    {
        var options = json.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonSourceGenerationOptionsAttribute");
        if (options is null)
        {
            return false;
        }

        if (options.ConstructorArguments.Length == 1 && options.ConstructorArguments[0].Value is int defaults && defaults == 1)
        {
            return !options.NamedArguments.Any(a => a.Key == "PropertyNamingPolicy" && a.Value.Value is int policy && policy != 1);
        }

        return options.NamedArguments.Any(a => a.Key == "PropertyNamingPolicy" && a.Value.Value is int policy && policy == 1);
    }
}
