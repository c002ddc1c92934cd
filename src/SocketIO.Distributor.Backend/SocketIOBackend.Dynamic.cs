using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SocketIO.Distributor.Backend;

/// <summary>Dynamic namespaces: <c>io.of(/regex/)</c> and <c>io.of(fn)</c>.</summary>
public sealed partial class SocketIOBackend
{
    private ImmutableArray<ParentNamespace> _parents = [];

    /// <summary>
    /// Serves every namespace whose name matches <paramref name="pattern"/> (socket.io's <c>io.of(/^\/game-\d+$/)</c>);
    /// each is created here on its first connection, from the returned parent's middleware and handlers. The pattern is
    /// advertised to distributors (in .NET regex syntax), which route matching names here. Add it before
    /// <see cref="StartAsync"/>.
    /// </summary>
    /// <param name="pattern">The names to serve; anchor it (<c>^...$</c>) to match whole names.</param>
    /// <returns>The parent namespace.</returns>
    public ParentNamespace Of(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var timed = pattern.MatchTimeout == Regex.InfiniteMatchTimeout ? new Regex(pattern.ToString(), pattern.Options, TimeSpan.FromMilliseconds(50)) : pattern;
        var parent = new ParentNamespace(timed, null);
        ImmutableInterlocked.Update(ref _parents, list => list.Add(parent));
        return parent;
    }

    /// <summary>
    /// Serves the namespaces <paramref name="accepts"/> agrees to (socket.io's <c>io.of((name, auth, next) => ...)</c>),
    /// given the name and the client's auth payload. Distributors send a CONNECT for a name no backend serves or
    /// matches to such a backend; a name refused here gets <c>"Invalid namespace"</c>.
    /// </summary>
    /// <param name="accepts">Decides a name.</param>
    /// <returns>The parent namespace.</returns>
    public ParentNamespace Of(Func<string, JsonElement, bool> accepts)
    {
        ArgumentNullException.ThrowIfNull(accepts);
        var parent = new ParentNamespace(null, accepts);
        ImmutableInterlocked.Update(ref _parents, list => list.Add(parent));
        return parent;
    }

    /// <summary>The dynamic namespace <paramref name="name"/>, created from the first parent that accepts it; null if none.</summary>
    private BackendNamespace? TryCreateChild(string name, JsonElement auth)
    {
        foreach (var parent in _parents)
        {
            if (parent.Matches(name, auth))
            {
                var child = _namespaces.GetOrAdd(name, n => BackendNamespace.ChildOf(this, n, parent));
                parent.Adopt(child);
                return child;
            }
        }

        return null;
    }

    private string[] NamespacePatterns()
    {
        var patterns = new List<string>();
        foreach (var parent in _parents)
        {
            if (parent.Pattern is { } pattern)
            {
                patterns.Add(pattern.ToString());
            }
        }

        return [.. patterns];
    }

    private bool AcceptsAnyNamespace()
    {
        foreach (var parent in _parents)
        {
            if (parent.Pattern is null)
            {
                return true;
            }
        }

        return false;
    }
}
