using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace SocketIO.Distributor.Generators;

/// <summary>TypeScript types of payloads: each object type becomes an exported interface, named as in C#.</summary>
internal sealed class TypeScriptWriter
{
    private readonly PayloadShapes _shapes;
    private readonly Dictionary<ITypeSymbol, string> _declared = new(SymbolEqualityComparer.Default);

    public TypeScriptWriter(PayloadShapes shapes) => _shapes = shapes;

    /// <summary>The interfaces declared, each <c>name\ndeclaration</c>.</summary>
    public List<string> Declarations { get; } = new();

    /// <summary>The TypeScript type of <paramref name="type"/>, <c>| null</c> included when it may be null.</summary>
    public string TypeOf(ITypeSymbol type, IReadOnlyList<AttributeData>? attributes = null)
    {
        var core = CoreTypeOf(PayloadShapes.Unwrap(type), attributes);
        return PayloadShapes.MayBeNull(type) ? Parenthesize(core) + " | null" : core;
    }

    private string CoreTypeOf(ITypeSymbol type, IReadOnlyList<AttributeData>? attributes)
    {
        if (attributes is not null && PayloadShapes.IsString(type)
            && attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.ComponentModel.DataAnnotations.AllowedValuesAttribute") is { } allowed
            && ValidationWriter.AllowedStrings(allowed) is { Count: > 0 } values)
        {
            return string.Join(" | ", values.Select(v => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""));
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Char:
            case SpecialType.System_DateTime:
                return "string";
            case SpecialType.System_Boolean:
                return "boolean";
            case SpecialType.System_Object:
                return "unknown";
        }

        if (PayloadShapes.IsNumeric(type) || type.TypeKind == TypeKind.Enum)
        {
            return "number";
        }

        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
        {
            return "string";
        }

        switch (type.ToDisplayString())
        {
            case "System.DateTimeOffset":
            case "System.Guid":
            case "System.TimeSpan":
            case "System.DateOnly":
            case "System.TimeOnly":
            case "System.Uri":
                return "string";
            case "System.Text.Json.JsonElement":
            case "System.Text.Json.Nodes.JsonNode":
            case "System.Text.Json.Nodes.JsonObject":
                return "unknown";
        }

        if (PayloadShapes.DictionaryValueOf(type) is { } value)
        {
            return "Record<string, " + TypeOf(value) + ">";
        }

        if (PayloadShapes.ElementOf(type) is { } element)
        {
            return Parenthesize(TypeOf(element)) + "[]";
        }

        return PayloadShapes.IsObject(type) ? Declare(type) : "unknown";
    }

    private string Declare(ITypeSymbol type)
    {
        type = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        if (_declared.TryGetValue(type, out var existing))
        {
            return existing;
        }

        var name = type.Name;
        _declared[type] = name;
        var text = new StringBuilder();
        text.Append("/** ").Append(type.ToDisplayString()).AppendLine(" */");
        text.Append("export interface ").Append(name).AppendLine(" {");
        foreach (var member in _shapes.MembersOf(type))
        {
            var optional = PayloadShapes.MayBeNull(member.Property.Type);
            text.Append("  ").Append(member.JsonName).Append(optional ? "?: " : ": ").Append(TypeOf(member.Property.Type, member.Attributes)).AppendLine(";");
        }

        text.AppendLine("}");
        Declarations.Add(name + "\n" + text);
        return name;
    }

    private static string Parenthesize(string type) => type.Contains(" ") ? "(" + type + ")" : type;
}
