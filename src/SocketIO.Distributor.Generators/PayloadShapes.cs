using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SocketIO.Distributor.Generators;

/// <summary>How payload types look on the wire: their JSON members, collections, and which types are objects of the contract.</summary>
internal sealed class PayloadShapes
{
    private readonly bool _camelCase;

    public PayloadShapes(bool camelCase) => _camelCase = camelCase;

    /// <summary>A JSON member of an object payload: the property, its JSON name, and its attributes (the record parameter's too).</summary>
    public sealed record Member(IPropertySymbol Property, string JsonName, IReadOnlyList<AttributeData> Attributes);

    public static ITypeSymbol Unwrap(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

    public static bool IsNullableValue(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };

    /// <summary>True for a type that may be null on the wire: a nullable value type or a reference type annotated with <c>?</c> (or oblivious).</summary>
    public static bool MayBeNull(ITypeSymbol type) =>
        IsNullableValue(type) || (type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.NotAnnotated);

    public static bool IsNumeric(ITypeSymbol type) => Unwrap(type).SpecialType switch
    {
        SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16
            or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
            or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal => true,
        _ => false,
    };

    public static bool IsString(ITypeSymbol type) => type.SpecialType == SpecialType.System_String;

    /// <summary>A user type serialized as a JSON object: a class, record or struct outside the System namespaces.</summary>
    public static bool IsObject(ITypeSymbol type)
    {
        type = Unwrap(type);
        if (type is not INamedTypeSymbol named || type.SpecialType != SpecialType.None || named.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return false;
        }

        var ns = named.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return !(ns == "System" || ns.StartsWith("System.") || ns.StartsWith("Microsoft.")) && ElementOf(type) is null && DictionaryValueOf(type) is null;
    }

    /// <summary>The element type of an array or enumerable (not a string), or null.</summary>
    public static ITypeSymbol? ElementOf(ITypeSymbol type)
    {
        type = Unwrap(type);
        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType;
        }

        if (type.SpecialType == SpecialType.System_String || DictionaryValueOf(type) is not null)
        {
            return null;
        }

        var enumerable = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } self
            ? self
            : type.AllInterfaces.FirstOrDefault(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T);
        return enumerable?.TypeArguments[0];
    }

    /// <summary>The value type of a dictionary, or null.</summary>
    public static ITypeSymbol? DictionaryValueOf(ITypeSymbol type)
    {
        type = Unwrap(type);
        foreach (var candidate in new[] { type }.Concat(type.AllInterfaces))
        {
            if (candidate is INamedTypeSymbol { IsGenericType: true } named
                && named.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IDictionary<TKey, TValue>" or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>")
            {
                return named.TypeArguments[1];
            }
        }

        return null;
    }

    /// <summary>The JSON members of an object type, base types' first.</summary>
    public IReadOnlyList<Member> MembersOf(ITypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var t = Unwrap(type) as INamedTypeSymbol; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
        {
            chain.Insert(0, t);
        }

        var members = new List<Member>();
        var seen = new HashSet<string>();
        foreach (var t in chain)
        {
            var parameters = t.InstanceConstructors.SelectMany(c => c.Parameters).ToList();
            foreach (var property in t.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public || property.GetMethod is null
                    || HasAttribute(property.GetAttributes(), "System.Text.Json.Serialization.JsonIgnoreAttribute") || !seen.Add(property.Name))
                {
                    continue;
                }

                var attributes = property.GetAttributes().ToList();
                var parameter = parameters.FirstOrDefault(p => p.Name == property.Name);
                if (parameter is not null)
                {
                    attributes.AddRange(parameter.GetAttributes());
                }

                members.Add(new Member(property, JsonNameOf(property, attributes), attributes));
            }
        }

        return members;
    }

    public static bool HasAttribute(IEnumerable<AttributeData> attributes, string fullName) =>
        attributes.Any(a => a.AttributeClass?.ToDisplayString() == fullName);

    private string JsonNameOf(IPropertySymbol property, IReadOnlyList<AttributeData> attributes)
    {
        var named = attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonPropertyNameAttribute");
        if (named is { ConstructorArguments.Length: 1 } && named.ConstructorArguments[0].Value is string name)
        {
            return name;
        }

        return _camelCase ? CamelCase(property.Name) : property.Name;
    }

    public static string CamelCase(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
