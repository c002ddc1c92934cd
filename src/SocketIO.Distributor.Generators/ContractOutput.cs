using Microsoft.CodeAnalysis;

namespace SocketIO.Distributor.Generators;

/// <summary>What one contract interface generates: its binding source, its part of the TypeScript declarations, its diagnostics.</summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Source">The C# binding, or empty when the contract has errors.</param>
/// <param name="TypeScript">The contract's TypeScript namespace.</param>
/// <param name="TypeScriptTypes">The payload interfaces it uses, each <c>name\ndeclaration</c>.</param>
/// <param name="Diagnostics">What is wrong with it.</param>
internal sealed record ContractOutput(
    string HintName,
    string Source,
    string TypeScript,
    EquatableArray<string> TypeScriptTypes,
    EquatableArray<Diagnostic> Diagnostics);
