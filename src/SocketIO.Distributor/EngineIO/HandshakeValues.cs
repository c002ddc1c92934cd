using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace SocketIO.Distributor.EngineIO;

/// <summary>
/// The query or headers of a handshake, kept for the connection's whole life in one array of
/// name/value pairs instead of a <see cref="Dictionary{TKey, TValue}"/> (its buckets and entries cost
/// ~2× as much for the handful of values a handshake has). The names and values every Engine.IO
/// connection sends (<c>EIO</c>, <c>transport</c>, <c>websocket</c>, <c>Upgrade</c>, …) are shared
/// instances, not a copy per connection. Look-ups are linear: a handshake has tens of values at most,
/// and they are read a few times per namespace connect, never per packet.
/// </summary>
internal sealed class HandshakeValues : IReadOnlyDictionary<string, string>
{
    /// <summary>Common names and values, shared by every connection that sends them.</summary>
    private static readonly string[] Common =
    [
        "EIO", "transport", "sid", "t", "j", "b64", "3", "4", "websocket", "polling", "Upgrade", "upgrade", "13",
        "permessage-deflate; client_max_window_bits", "keep-alive", "no-cache", "gzip, deflate", "gzip, deflate, br",
    ];

    /// <summary>Name, value, name, value, …; names unique under <see cref="_comparer"/>.</summary>
    private readonly string[] _pairs;
    private readonly StringComparer _comparer;

    private HandshakeValues(string[] pairs, StringComparer comparer)
    {
        _pairs = pairs;
        _comparer = comparer;
    }

    /// <summary>Copies <paramref name="values"/> (names already unique under its comparer).</summary>
    /// <param name="values">The parsed values.</param>
    /// <param name="comparer">How names compare: ordinal for a query, ordinal ignoring case for headers.</param>
    /// <returns>The compact copy.</returns>
    public static HandshakeValues From(IReadOnlyCollection<KeyValuePair<string, string>> values, StringComparer comparer)
    {
        var pairs = new string[values.Count * 2];
        var i = 0;
        foreach (var (name, value) in values)
        {
            pairs[i++] = Shared(name);
            pairs[i++] = Shared(value);
        }

        return new HandshakeValues(pairs, comparer);
    }

    /// <inheritdoc />
    public int Count => _pairs.Length / 2;

    /// <inheritdoc />
    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < _pairs.Length; i += 2)
            {
                yield return _pairs[i];
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> Values
    {
        get
        {
            for (var i = 1; i < _pairs.Length; i += 2)
            {
                yield return _pairs[i];
            }
        }
    }

    /// <inheritdoc />
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"'{key}' is not in the handshake");

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index < 0 ? null : _pairs[index + 1];
        return index >= 0;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _pairs.Length; i += 2)
        {
            yield return new KeyValuePair<string, string>(_pairs[i], _pairs[i + 1]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _pairs.Length; i += 2)
        {
            if (_comparer.Equals(_pairs[i], key))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Shared(string text)
    {
        foreach (var common in Common)
        {
            if (string.Equals(common, text, StringComparison.Ordinal))
            {
                return common;
            }
        }

        return text;
    }
}
