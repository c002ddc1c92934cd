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
/// any namespace. Bounded: at most <see cref="MaxDynamicNamespaces"/> are created; they stay until the distributor stops.
/// </summary>
public sealed partial class SocketIODistributor
{
    /// <summary>The most dynamic namespaces one distributor creates.</summary>
    internal const int MaxDynamicNamespaces = 10_000;

    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);
    private readonly ConcurrentDictionary<string, Regex?> _patterns = new(StringComparer.Ordinal);
    private readonly Lock _dynamicGate = new();
    private int _dynamicCount;

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
            if (_namespaces.TryGetValue(name, out var existing))
            {
                return existing;
            }

            if (_dynamicCount >= MaxDynamicNamespaces)
            {
                DynamicLog.TooMany(Logger, name, MaxDynamicNamespaces);
                return null;
            }

            var relay = new RelayNamespace(this, name);
            var channel = bus.Channels.Namespace(name);
            relay.Ready = SubscribeDynamicAsync(bus, relay, channel);
            _namespaces[name] = relay;
            _dynamicCount++;
            DynamicLog.Created(Logger, name);
            return relay;
        }
    }

    private async Task SubscribeDynamicAsync(Bus.RedisBus bus, RelayNamespace relay, string channel)
    {
        var subscription = await bus.SubscribeAsync(channel, bytes => OnNamespaceMessage(relay, channel, bytes));
        lock (_subscriptions)
        {
            _subscriptions.Add(subscription);
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

        [LoggerMessage(EventId = 5031, Level = LogLevel.Warning, Message = "Refused dynamic namespace {Namespace}: this distributor already created {Max}")]
        public static partial void TooMany(ILogger logger, string @namespace, int max);
    }
}
