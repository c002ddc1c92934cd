using System.Collections.Concurrent;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// Lower-case header names shared by every connection: a handshake keeps its headers by lower-case
/// name for its whole life, and without this each connection held its own copy of "user-agent",
/// "sec-websocket-key", … (~0.5 KB per idle connection). Bounded, so clients sending made-up header
/// names cannot grow it: past <see cref="Capacity"/> names, a name is lower-cased per connection as before.
/// </summary>
internal static class LowerCaseHeaderNames
{
    /// <summary>The most distinct names kept.</summary>
    internal const int Capacity = 512;

    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>How many names are kept now.</summary>
    internal static int Count => Names.Count;

    /// <summary>The lower-case form of <paramref name="name"/>, the same instance for every connection that sends it.</summary>
    public static string Of(string name)
    {
        if (Names.TryGetValue(name, out var lower))
        {
            return lower;
        }

        lower = name.ToLowerInvariant();
        if (Names.Count >= Capacity)
        {
            return lower;
        }

        // Only a name not seen before takes the lock, so the bound is exact.
        lock (Gate)
        {
            return Names.Count < Capacity ? Names.GetOrAdd(name, lower) : lower;
        }
    }
}
