using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SocketIO.Distributor.Generators;

/// <summary>
/// Writes the run-time checks of what a client sends: non-nullable members present, and the
/// System.ComponentModel.DataAnnotations attributes (Required, StringLength, MinLength, MaxLength,
/// Length, Range, RegularExpression, AllowedValues) as plain C# — no reflection when an event arrives.
/// </summary>
internal sealed class ValidationWriter
{
    private const string Annotations = "System.ComponentModel.DataAnnotations.";
    private const string Violation = "global::SocketIO.Distributor.Backend.Contracts.ContractViolation";

    private readonly PayloadShapes _shapes;
    private readonly List<Diagnostic> _diagnostics;
    private readonly Dictionary<ITypeSymbol, string> _objectChecks = new(SymbolEqualityComparer.Default);
    private readonly StringBuilder _methods = new();
    private int _locals;

    public ValidationWriter(PayloadShapes shapes, List<Diagnostic> diagnostics)
    {
        _shapes = shapes;
        _diagnostics = diagnostics;
    }

    /// <summary>The patterns of RegularExpression attributes, in field order (<c>Pattern{i}</c>).</summary>
    public List<string> Patterns { get; } = new();

    /// <summary>The check methods of object types written so far.</summary>
    public string Methods => _methods.ToString();

    public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

    /// <summary>
    /// Writes statements checking <paramref name="value"/> (an expression of <paramref name="type"/>)
    /// whose field name is the string expression <paramref name="field"/>; a failure returns a ContractViolation.
    /// </summary>
    public void WriteChecks(StringBuilder sb, string indent, ITypeSymbol type, IReadOnlyList<AttributeData> attributes, string value, string field, bool checkNull, ISymbol owner, string? objectPath = null)
    {
        if (checkNull && !PayloadShapes.MayBeNull(type) && type.IsReferenceType)
        {
            sb.Append(indent).Append("if (").Append(value).Append(" is null) return new ").Append(Violation).Append('(').Append(field).Append(", ").Append(field).AppendLine(" + \" is required\");");
        }

        foreach (var attribute in attributes)
        {
            var name = attribute.AttributeClass?.ToDisplayString() ?? string.Empty;
            if (!name.StartsWith(Annotations))
            {
                continue;
            }

            WriteAttributeCheck(sb, indent, type, attribute, name.Substring(Annotations.Length), value, field, owner);
        }

        var element = PayloadShapes.ElementOf(type);
        if (PayloadShapes.IsObject(type))
        {
            var check = ObjectCheck(type);
            var local = "x" + _locals++;
            sb.Append(indent).Append("if (").Append(value).Append(" is { } ").Append(local).Append(" && ").Append(check).Append('(').Append(local).Append(", ").Append(objectPath ?? field)
                .Append(") is { } ").Append(local).Append("v) return ").Append(local).AppendLine("v;");
        }
        else if (element is not null && PayloadShapes.IsObject(element))
        {
            var check = ObjectCheck(element);
            var n = _locals++;
            sb.Append(indent).Append("if (").Append(value).Append(" is { } c").Append(n).AppendLine(")");
            sb.Append(indent).AppendLine("{");
            sb.Append(indent).Append("    var i").Append(n).AppendLine(" = 0;");
            sb.Append(indent).Append("    foreach (var item").Append(n).Append(" in c").Append(n).AppendLine(")");
            sb.Append(indent).AppendLine("    {");
            sb.Append(indent).Append("        if (item").Append(n).Append(" is { } y").Append(n).Append(" && ").Append(check).Append("(y").Append(n).Append(", ").Append(field)
                .Append(" + \"[\" + i").Append(n).Append(".ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \"]\") is { } v").Append(n).Append(") return v").Append(n).AppendLine(";");
            sb.Append(indent).Append("        i").Append(n).AppendLine("++;");
            sb.Append(indent).AppendLine("    }");
            sb.Append(indent).AppendLine("}");
        }
    }

    /// <summary>The name of the method checking an object type, written once.</summary>
    private string ObjectCheck(ITypeSymbol type)
    {
        type = PayloadShapes.Unwrap(type).WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        if (_objectChecks.TryGetValue(type, out var existing))
        {
            return existing;
        }

        var method = "Check" + _objectChecks.Count.ToString(CultureInfo.InvariantCulture) + "_" + type.Name;
        _objectChecks[type] = method;
        var body = new StringBuilder();
        body.Append("        /// <summary>Checks a <c>").Append(type.Name).AppendLine("</c> a client sent.</summary>");
        body.Append("        private static ").Append(Violation).Append("? ").Append(method).Append('(')
            .Append(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).AppendLine(" value, string path)");
        body.AppendLine("        {");
        foreach (var member in _shapes.MembersOf(type))
        {
            body.AppendLine("            {");
            body.Append("                var f = path.Length == 0 ? ").Append(Literal(member.JsonName)).Append(" : path + ").Append(Literal("." + member.JsonName)).AppendLine(";");
            body.Append("                var v = value.").Append(member.Property.Name).AppendLine(";");
            WriteChecks(body, "                ", member.Property.Type, member.Attributes, "v", "f", checkNull: true, member.Property);
            body.AppendLine("            }");
        }

        body.AppendLine("            return null;");
        body.AppendLine("        }");
        body.AppendLine();
        _methods.Append(body);
        return method;
    }

    private void WriteAttributeCheck(StringBuilder sb, string indent, ITypeSymbol type, AttributeData attribute, string kind, string value, string field, ISymbol owner)
    {
        var custom = attribute.NamedArguments.FirstOrDefault(a => a.Key == "ErrorMessage").Value.Value as string;
        string Fail(string message) =>
            "return new " + Violation + "(" + field + ", " + (custom is null ? field + " + " + Literal(message) : Literal(custom) + ".Replace(\"{0}\", " + field + ", global::System.StringComparison.Ordinal)") + ");";
        var args = attribute.ConstructorArguments;
        var plain = PayloadShapes.Unwrap(type);
        switch (kind)
        {
            case "RequiredAttribute":
                var allowEmpty = attribute.NamedArguments.Any(a => a.Key == "AllowEmptyStrings" && a.Value.Value is true);
                var condition = PayloadShapes.IsString(plain) && !allowEmpty ? "string.IsNullOrWhiteSpace(" + value + ")" : value + " is null";
                if (!plain.IsValueType || PayloadShapes.IsNullableValue(type))
                {
                    sb.Append(indent).Append("if (").Append(condition).Append(") ").AppendLine(Fail(" is required"));
                }

                break;
            case "StringLengthAttribute" when Require(PayloadShapes.IsString(plain), "a string", attribute, owner, type):
                var max = (int)args[0].Value!;
                var min = attribute.NamedArguments.FirstOrDefault(a => a.Key == "MinimumLength").Value.Value as int? ?? 0;
                sb.Append(indent).Append("if (").Append(value).Append(" is { } s").Append(_locals).Append(" && (s").Append(_locals).Append(".Length > ").Append(max).Append(" || s").Append(_locals).Append(".Length < ").Append(min).Append(")) ")
                    .AppendLine(Fail(min > 0 ? $" must be {min} to {max} characters" : $" must be at most {max} characters"));
                _locals++;
                break;
            case "MinLengthAttribute" when RequireSized(plain, attribute, owner, type):
                WriteSize(sb, indent, plain, value, "<", (int)args[0].Value!, Fail($" must have at least {args[0].Value} {Unit(plain)}"));
                break;
            case "MaxLengthAttribute" when RequireSized(plain, attribute, owner, type):
                WriteSize(sb, indent, plain, value, ">", (int)args[0].Value!, Fail($" must have at most {args[0].Value} {Unit(plain)}"));
                break;
            case "LengthAttribute" when RequireSized(plain, attribute, owner, type):
                WriteSize(sb, indent, plain, value, "<", (int)args[0].Value!, Fail($" must have {args[0].Value} to {args[1].Value} {Unit(plain)}"));
                WriteSize(sb, indent, plain, value, ">", (int)args[1].Value!, Fail($" must have {args[0].Value} to {args[1].Value} {Unit(plain)}"));
                break;
            case "RangeAttribute" when Require(PayloadShapes.IsNumeric(plain), "a number", attribute, owner, type):
                if (args.Length != 2 || args[0].Value is not (int or double))
                {
                    Require(false, "Range(int, int) or Range(double, double)", attribute, owner, type);
                    break;
                }

                var low = Number(args[0].Value!);
                var high = Number(args[1].Value!);
                var n = _locals++;
                sb.Append(indent).Append("if (").Append(value).Append(" is { } r").Append(n).Append(" && ((double)r").Append(n).Append(" < ").Append(low).Append("d || (double)r").Append(n).Append(" > ").Append(high).Append("d)) ")
                    .AppendLine(Fail($" must be between {low} and {high}"));
                break;
            case "RegularExpressionAttribute" when Require(PayloadShapes.IsString(plain), "a string", attribute, owner, type):
                var pattern = (string)args[0].Value!;
                Patterns.Add(pattern);
                sb.Append(indent).Append("if (").Append(value).Append(" is { } p").Append(_locals).Append(" && !Pattern").Append(Patterns.Count - 1).Append(".IsMatch(p").Append(_locals).Append(")) ")
                    .AppendLine(Fail(" must match " + pattern));
                _locals++;
                break;
            case "AllowedValuesAttribute" when Require(PayloadShapes.IsString(plain), "a string", attribute, owner, type):
                var allowed = AllowedStrings(attribute);
                var test = string.Join(" || ", allowed.Select(a => "a" + _locals + " == " + Literal(a)));
                sb.Append(indent).Append("if (").Append(value).Append(" is { } a").Append(_locals).Append(" && !(").Append(test.Length == 0 ? "false" : test).Append(")) ")
                    .AppendLine(Fail(" must be one of " + string.Join(", ", allowed.Select(a => "\"" + a + "\""))));
                _locals++;
                break;
        }
    }

    /// <summary>The strings an AllowedValues attribute lists.</summary>
    public static IReadOnlyList<string> AllowedStrings(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
            ? attribute.ConstructorArguments[0].Values.Select(v => v.Value as string).Where(v => v is not null).Select(v => v!).ToList()
            : Array.Empty<string>();

    private void WriteSize(StringBuilder sb, string indent, ITypeSymbol type, string value, string op, int limit, string fail)
    {
        var size = PayloadShapes.IsString(type) || type is IArrayTypeSymbol ? "Length" : "Count";
        var n = _locals++;
        sb.Append(indent).Append("if (").Append(value).Append(" is { } z").Append(n).Append(" && z").Append(n).Append('.').Append(size).Append(' ').Append(op).Append(' ').Append(limit).Append(") ").AppendLine(fail);
    }

    private static string Unit(ITypeSymbol type) => PayloadShapes.IsString(type) ? "characters" : "items";

    private static string Number(object value) => value switch
    {
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "0",
    };

    private bool RequireSized(ITypeSymbol type, AttributeData attribute, ISymbol owner, ITypeSymbol declared) =>
        Require(
            PayloadShapes.IsString(type) || type is IArrayTypeSymbol || type.GetMembers("Count").OfType<IPropertySymbol>().Any() || type.AllInterfaces.Any(i => i.GetMembers("Count").OfType<IPropertySymbol>().Any()),
            "a string or a collection",
            attribute,
            owner,
            declared);

    private bool Require(bool fits, string needs, AttributeData attribute, ISymbol owner, ITypeSymbol type)
    {
        if (!fits)
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? owner.Locations.FirstOrDefault();
            _diagnostics.Add(Diagnostic.Create(
                ContractDiagnostics.AttributeDoesNotFit,
                location,
                attribute.AttributeClass?.Name.Replace("Attribute", string.Empty),
                owner.Name,
                needs,
                type.ToDisplayString()));
        }

        return fits;
    }
}
