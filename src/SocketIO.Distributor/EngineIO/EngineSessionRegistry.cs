using System.Collections.Concurrent;

namespace SocketIO.Distributor.EngineIO;

/// <summary>The open sessions of one Engine.IO server, by id.</summary>
internal sealed class EngineSessionRegistry
{
    private readonly ConcurrentDictionary<string, EngineSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public IEnumerable<EngineSession> All => _sessions.Values;

    public bool TryGet(string id, out EngineSession session) => _sessions.TryGetValue(id, out session!);

    public void Add(EngineSession session)
    {
        if (_sessions.TryAdd(session.Id, session))
        {
            EngineMetrics.OpenSessions.Add(1);
        }
    }

    public void Remove(EngineSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, EngineSession>(session.Id, session)))
        {
            EngineMetrics.OpenSessions.Add(-1);
        }
    }
}
