namespace SocketIO.Distributor.Backend;

/// <summary>A namespace created from a <see cref="ParentNamespace"/>.</summary>
public sealed partial class BackendNamespace
{
    /// <summary>The parent it was created from, or null for a namespace added with <see cref="SocketIOBackend.Of(string)"/>.</summary>
    public ParentNamespace? Parent { get; private init; }

    /// <summary>A child of <paramref name="parent"/>: its middleware and connection handlers as they are now.</summary>
    internal static BackendNamespace ChildOf(SocketIOBackend backend, string name, ParentNamespace parent) =>
        new(backend, name)
        {
            Parent = parent,
            _middleware = parent.Middleware,
            _connectionHandlers = parent.ConnectionHandlers,
        };
}
