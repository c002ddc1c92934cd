using System.Collections.Concurrent;

namespace SocketIO.Distributor.EngineIO;

/// <summary>The open sessions of one Engine.IO server, by id.</summary>
internal sealed class EngineSessionRegistry(EngineMetrics metrics)
{
    private readonly ConcurrentDictionary<string, EngineSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>The counters of the server these sessions belong to.</summary>
    public EngineMetrics Metrics => metrics;

    public IEnumerable<EngineSession> All => _sessions.Values;

    public bool TryGet(string id, out EngineSession session) => _sessions.TryGetValue(id, out session!);

    public void Add(EngineSession session)
    {
        if (_sessions.TryAdd(session.Id, session))
        {
            metrics.SessionOpened();
        }
    }

    public void Remove(EngineSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, EngineSession>(session.Id, session)))
        {
            metrics.SessionRemoved();
        }
    }
}
