using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Generators;

namespace SocketIO.Distributor.Generators.Tests;

/// <summary>
/// Compiles C# source the way a project referencing the backend SDK and its generator does: the
/// generator runs, then the compiler checks the result. The outcome holds both the generator's
/// diagnostics and the compiler's.
/// </summary>
internal sealed class ContractCompilation
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private ContractCompilation(ImmutableArray<Diagnostic> generatorDiagnostics, ImmutableArray<Diagnostic> compilerDiagnostics, IReadOnlyDictionary<string, string> generated)
    {
        GeneratorDiagnostics = generatorDiagnostics;
        CompilerDiagnostics = compilerDiagnostics;
        Generated = generated;
    }

    /// <summary>What the generator reported.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>What the compiler reported on the source plus the generated files (errors and warnings).</summary>
    public ImmutableArray<Diagnostic> CompilerDiagnostics { get; }

    /// <summary>The generated files by hint name.</summary>
    public IReadOnlyDictionary<string, string> Generated { get; }

    public IEnumerable<Diagnostic> Errors => GeneratorDiagnostics.Concat(CompilerDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error);

    public string TypeScript => Generated.TryGetValue(ContractGenerator.TypeScriptHintName, out var text) ? text : string.Empty;

    public static CSharpCompilation Create(string source) =>
        CSharpCompilation.Create(
            "ContractUnderTest",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Contract.cs")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static ContractCompilation Run(string source)
    {
        var compilation = Create(source);
        var driver = CSharpGeneratorDriver.Create(new ContractGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var generated = driver.GetRunResult().GeneratedTrees.ToDictionary(t => Path.GetFileName(t.FilePath), t => t.GetText().ToString(), StringComparer.Ordinal);
        return new ContractCompilation(diagnostics, output.GetDiagnostics(), generated);
    }

    public string Describe() =>
        string.Join('\n', GeneratorDiagnostics.Concat(CompilerDiagnostics).Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var sdk = new[] { typeof(SocketIOBackend).Assembly.Location }
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "SocketIO.Distributor.*.dll"))
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.Extensions.*.dll"))
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "StackExchange.Redis.dll"));
        return [.. platform.Concat(sdk)
            .Where(p => !p.EndsWith("Tests.dll", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => MetadataReference.CreateFromFile(g.First()))];
    }
}
