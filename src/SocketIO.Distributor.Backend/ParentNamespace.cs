using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// A family of dynamic namespaces (socket.io's <c>ParentNamespace</c>, from <c>io.of(/regex/)</c> or <c>io.of(fn)</c>):
/// a child namespace is created on this backend when a client first connects to a matching name, and inherits the
/// middleware and connection handlers added here before (as in socket.io). A child is an ordinary
/// <see cref="BackendNamespace"/> (<see cref="BackendSocket.Namespace"/> of its sockets); <see cref="Emit"/> and
/// <see cref="To"/> reach every child this backend created.
/// <para>
/// Distributors learn of a regex parent from this backend's membership record (the pattern, in .NET syntax) and route
/// a CONNECT to a matching name here; a function parent makes this backend a candidate for any unknown name, and it
/// refuses names the function rejects with <c>"Invalid namespace"</c>.
/// </para>
/// </summary>
public sealed class ParentNamespace
{
    private readonly Regex? _pattern;
    private readonly Func<string, JsonElement, bool>? _accepts;
    private readonly ConcurrentDictionary<string, BackendNamespace> _children = new(StringComparer.Ordinal);
    private ImmutableArray<Func<BackendSocket, Func<Task>, Task>> _middleware = [];
    private ImmutableArray<Func<BackendSocket, Task>> _connectionHandlers = [];

    internal ParentNamespace(Regex? pattern, Func<string, JsonElement, bool>? accepts)
    {
        _pattern = pattern;
        _accepts = accepts;
    }

    /// <summary>The pattern of the children's names, or null for a function parent.</summary>
    public Regex? Pattern => _pattern;

    /// <summary>The children created on this backend so far.</summary>
    public IReadOnlyCollection<BackendNamespace> Children => [.. _children.Values];

    internal ImmutableArray<Func<BackendSocket, Func<Task>, Task>> Middleware => _middleware;

    internal ImmutableArray<Func<BackendSocket, Task>> ConnectionHandlers => _connectionHandlers;

    /// <summary>Adds a middleware inherited by children created from now on (see <see cref="BackendNamespace.Use"/>).</summary>
    /// <param name="middleware">The middleware.</param>
    /// <returns>This parent.</returns>
    public ParentNamespace Use(Func<BackendSocket, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        ImmutableInterlocked.Update(ref _middleware, list => list.Add(middleware));
        return this;
    }

    /// <summary>Adds a connection handler inherited by children created from now on.</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>This parent.</returns>
    public ParentNamespace OnConnection(Action<BackendSocket> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnConnection(socket =>
        {
            handler(socket);
            return Task.CompletedTask;
        });
    }

    /// <summary>Adds an asynchronous connection handler inherited by children created from now on.</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>This parent.</returns>
    public ParentNamespace OnConnection(Func<BackendSocket, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _connectionHandlers, list => list.Add(handler));
        return this;
    }

    /// <summary>Emits to every socket of every child this backend created (one broadcast per child).</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    public void Emit(string ev, params object?[] args)
    {
        foreach (var child in _children.Values)
        {
            child.Emit(ev, args);
        }
    }

    /// <summary>Emits to the sockets in <paramref name="rooms"/> of every child this backend created.</summary>
    /// <param name="rooms">The rooms.</param>
    /// <returns>An emitter over the children.</returns>
    public ParentBroadcast To(params string[] rooms) => new(this, BroadcastOperator.CheckRooms(rooms));

    internal IEnumerable<BackendNamespace> ChildNamespaces => _children.Values;

    internal bool Matches(string name, JsonElement auth)
    {
        try
        {
            return _pattern is not null ? _pattern.IsMatch(name) : _accepts!(name, auth);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    internal void Adopt(BackendNamespace child) => _children.TryAdd(child.Name, child);
}

/// <summary>Room emits over every child of a <see cref="ParentNamespace"/>.</summary>
public sealed class ParentBroadcast
{
    private readonly ParentNamespace _parent;
    private readonly string[] _rooms;

    internal ParentBroadcast(ParentNamespace parent, string[] rooms)
    {
        _parent = parent;
        _rooms = rooms;
    }

    /// <summary>Emits to the rooms in every child.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    public void Emit(string ev, params object?[] args)
    {
        foreach (var child in _parent.ChildNamespaces)
        {
            child.To(_rooms).Emit(ev, args);
        }
    }
}
