using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// A socket's application data (socket.io's <c>socket.data</c>): a thread-safe dictionary whose changes are sent to
/// the socket's distributor, which keeps a copy (so <see cref="RemoteSocket.Data"/> on any replica and the next replica
/// after a move see it). Writes made in one go are sent as one message: the whole dictionary as JSON, serialized with
/// <see cref="BackendOptions.Json"/>. After a move to another replica, values are <see cref="JsonElement"/>s.
/// </summary>
internal sealed class SocketData(Action changed) : IDictionary<string, object?>
{
    private readonly ConcurrentDictionary<string, object?> _values = new(StringComparer.Ordinal);

    public int Count => _values.Count;

    public bool IsReadOnly => false;

    public ICollection<string> Keys => _values.Keys;

    public ICollection<object?> Values => _values.Values;

    public object? this[string key]
    {
        get => _values[key];
        set
        {
            _values[key] = value;
            changed();
        }
    }

    public void Add(string key, object? value)
    {
        if (!_values.TryAdd(key, value))
        {
            throw new ArgumentException($"An item with the key '{key}' has already been added.", nameof(key));
        }

        changed();
    }

    public void Add(KeyValuePair<string, object?> item) => Add(item.Key, item.Value);

    public bool Remove(string key)
    {
        var removed = _values.TryRemove(key, out _);
        if (removed)
        {
            changed();
        }

        return removed;
    }

    public bool Remove(KeyValuePair<string, object?> item)
    {
        var removed = ((ICollection<KeyValuePair<string, object?>>)_values).Remove(item);
        if (removed)
        {
            changed();
        }

        return removed;
    }

    public void Clear()
    {
        _values.Clear();
        changed();
    }

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool Contains(KeyValuePair<string, object?> item) => ((ICollection<KeyValuePair<string, object?>>)_values).Contains(item);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _values.TryGetValue(key, out value);

    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, object?>>)_values).CopyTo(array, arrayIndex);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Fills the data a distributor handed over (a move from another replica) without reporting it back.</summary>
    internal void Restore(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in data.EnumerateObject())
        {
            _values[property.Name] = property.Value.Clone();
        }
    }

    /// <summary>A copy to serialize.</summary>
    internal Dictionary<string, object?> Snapshot() => new(_values, StringComparer.Ordinal);
}
