using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Dynamic namespaces (socket.io's <c>io.of(/regex/)</c> and <c>io.of(fn)</c>): a CONNECT to a namespace this distributor
/// does not serve yet is accepted for relaying when a live backend declares a pattern that matches the name, or decides
/// names with a function (<see cref="MemberInfo.AcceptsAnyNamespace"/>); the backend then decides the connection as for
/// any namespace. Bounded: at most <see cref="MaxDynamicNamespaces"/> at once; one whose CONNECT is refused while it holds
/// nothing is forgotten again (see <see cref="DynamicNamespace"/>); the others stay until the distributor stops.
/// </summary>
public sealed partial class SocketIODistributor
{
    /// <summary>The most dynamic namespaces one distributor creates.</summary>
    internal const int MaxDynamicNamespaces = 10_000;

    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);
    private readonly ConcurrentDictionary<string, Regex?> _patterns = new(StringComparer.Ordinal);
    private readonly Lock _dynamicGate = new();
    private readonly Dictionary<string, DynamicNamespace> _dynamic = new(StringComparer.Ordinal);

    /// <summary>The live backends that serve <paramref name="nsp"/>, or, when none does, those that may create it.</summary>
    internal IReadOnlyList<MemberInfo> BackendsServing(string nsp)
    {
        var serving = Membership.BackendsOf(nsp);
        if (serving.Count > 0)
        {
            return serving;
        }

        var matching = new List<MemberInfo>();
        var any = new List<MemberInfo>();
        foreach (var member in Membership.Live)
        {
            if (member.Kind != MemberKind.Backend)
            {
                continue;
            }

            if (MatchesPattern(member, nsp))
            {
                matching.Add(member);
            }
            else if (member.AcceptsAnyNamespace)
            {
                any.Add(member);
            }
        }

        return matching.Count > 0 ? matching : any;
    }

    private INamespaceHandler? CreateDynamicNamespace(string name)
    {
        // The root namespace is never dynamic: socket.io-client v2 connects it implicitly.
        var bus = _bus;
        if (bus is null || name == "/" || BackendsServing(name).Count == 0)
        {
            return null;
        }

        lock (_dynamicGate)
        {
            if (_dynamic.TryGetValue(name, out var existing))
            {
                return existing;
            }

            if (_dynamic.Count >= MaxDynamicNamespaces)
            {
                DynamicLog.TooMany(Logger, name, MaxDynamicNamespaces);
                return null;
            }

            var relay = new RelayNamespace(this, name);
            var channel = bus.Channels.Namespace(name);
            var dynamic = new DynamicNamespace(this, relay, bus.SubscribeAsync(channel, bytes => OnNamespaceMessage(relay, channel, bytes)));
            _namespaces[name] = relay;
            _dynamic[name] = dynamic;
            DynamicLog.Created(Logger, name);
            return dynamic;
        }
    }

    /// <summary>A CONNECT to a dynamic namespace was refused: forget the namespace if it holds nothing.</summary>
    internal void TryRetire(DynamicNamespace dynamic)
    {
        var name = dynamic.Relay.Name;
        lock (_dynamicGate)
        {
            if (dynamic.Relay.SocketCount > 0 || !dynamic.TryMarkRetired())
            {
                return;
            }

            _dynamic.Remove(name);
            _namespaces.TryRemove(new KeyValuePair<string, RelayNamespace>(name, dynamic.Relay));
            Server.RemoveNamespace(name, dynamic);
        }

        _ = UnsubscribeAsync(dynamic);
    }

    /// <summary>Unsubscribes a retired namespace's channel and the dynamic ones at stop; failures are logged.</summary>
    private async Task UnsubscribeAsync(DynamicNamespace dynamic)
    {
        try
        {
            await (await dynamic.Subscription).DisposeAsync();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
        {
            DynamicLog.UnsubscribeFailed(Logger, ex, dynamic.Relay.Name);
        }
    }

    /// <summary>The dynamic namespaces' subscriptions, for the stop.</summary>
    private List<DynamicNamespace> DynamicNamespaces()
    {
        lock (_dynamicGate)
        {
            return [.. _dynamic.Values];
        }
    }

    private bool MatchesPattern(MemberInfo member, string nsp)
    {
        foreach (var pattern in member.NamespacePatterns)
        {
            var regex = _patterns.GetOrAdd(pattern, static p =>
            {
                try
                {
                    return new Regex(p, RegexOptions.CultureInvariant, PatternTimeout);
                }
                catch (ArgumentException)
                {
                    return null;
                }
            });
            try
            {
                if (regex is not null && regex.IsMatch(nsp))
                {
                    return true;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pattern too costly for this name: no match.
            }
        }

        return false;
    }

    private static partial class DynamicLog
    {
        [LoggerMessage(EventId = 5030, Level = LogLevel.Information, Message = "Created dynamic namespace {Namespace}: a backend declares a matching pattern")]
        public static partial void Created(ILogger logger, string @namespace);

        [LoggerMessage(EventId = 5031, Level = LogLevel.Warning, Message = "Refused dynamic namespace {Namespace}: this distributor already holds {Max}")]
        public static partial void TooMany(ILogger logger, string @namespace, int max);

        [LoggerMessage(EventId = 5032, Level = LogLevel.Warning, Message = "Unsubscribing from dynamic namespace {Namespace} failed")]
        public static partial void UnsubscribeFailed(ILogger logger, Exception exception, string @namespace);
    }
}
