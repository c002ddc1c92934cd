namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// The names of every Redis channel and key the product uses, under one prefix (default <c>siod</c>):
/// <list type="bullet">
/// <item><description><c>{prefix}:d:{distributorId}</c>: a distributor's inbox (connect results, emits to its sockets, commands).</description></item>
/// <item><description><c>{prefix}:b:{backendId}</c>: a backend's inbox (connects, client packets, disconnects, replies).</description></item>
/// <item><description><c>{prefix}:n:{namespace}</c>: broadcasts and remote queries for a whole namespace.</description></item>
/// <item><description><c>{prefix}:r:{namespace}:{room}</c>: broadcasts to a room; only distributors with members subscribe.</description></item>
/// <item><description><c>{prefix}:all</c>: custom messages and shutdown announcements, to every process.</description></item>
/// <item><description><c>{prefix}:members:distributor</c> and <c>{prefix}:members:backend</c>: hashes of registered processes (id to <see cref="MemberInfo"/> JSON), the index of the alive keys.</description></item>
/// <item><description><c>{prefix}:alive:distributor:{id}</c> and <c>{prefix}:alive:backend:{id}</c>: a member's liveness, a string (its start time) with a TTL of its member timeout, refreshed by each heartbeat; gone means dead (Redis's clock decides, not the hosts').</description></item>
/// </list>
/// </summary>
/// <param name="prefix">The prefix; lets several deployments share one Redis.</param>
public sealed class BusChannels(string prefix)
{
    /// <summary>The prefix.</summary>
    public string Prefix { get; } = prefix;

    /// <summary>A distributor's inbox.</summary>
    /// <param name="distributorId">The distributor.</param>
    /// <returns>The channel.</returns>
    public string Distributor(string distributorId) => $"{Prefix}:d:{distributorId}";

    /// <summary>A backend's inbox.</summary>
    /// <param name="backendId">The backend.</param>
    /// <returns>The channel.</returns>
    public string Backend(string backendId) => $"{Prefix}:b:{backendId}";

    /// <summary>A namespace's broadcast channel.</summary>
    /// <param name="nsp">The namespace.</param>
    /// <returns>The channel.</returns>
    public string Namespace(string nsp) => $"{Prefix}:n:{nsp}";

    /// <summary>A room's broadcast channel.</summary>
    /// <param name="nsp">The namespace.</param>
    /// <param name="room">The room.</param>
    /// <returns>The channel.</returns>
    public string Room(string nsp, string room) => $"{Prefix}:r:{nsp}:{room}";

    /// <summary>The channel every process subscribes to.</summary>
    public string All => $"{Prefix}:all";

    /// <summary>The hash of live members of a kind.</summary>
    /// <param name="kind">Distributors or backends.</param>
    /// <returns>The key.</returns>
    public string Members(MemberKind kind) => kind == MemberKind.Distributor ? $"{Prefix}:members:distributor" : $"{Prefix}:members:backend";

    /// <summary>The key whose existence says a member is alive (it expires on Redis's clock unless refreshed).</summary>
    /// <param name="kind">Distributor or backend.</param>
    /// <param name="id">The member id.</param>
    /// <returns>The key.</returns>
    public string Alive(MemberKind kind, string id) => kind == MemberKind.Distributor ? $"{Prefix}:alive:distributor:{id}" : $"{Prefix}:alive:backend:{id}";

    /// <summary>True if <paramref name="channel"/> is one process's inbox (exactly one subscriber when that process is up).</summary>
    /// <param name="channel">A channel name.</param>
    /// <returns>True for a distributor's or a backend's inbox.</returns>
    public bool IsInbox(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.Length > Prefix.Length + 3
            && channel.StartsWith(Prefix, StringComparison.Ordinal)
            && (channel.AsSpan(Prefix.Length).StartsWith(":d:", StringComparison.Ordinal) || channel.AsSpan(Prefix.Length).StartsWith(":b:", StringComparison.Ordinal));
    }
}
