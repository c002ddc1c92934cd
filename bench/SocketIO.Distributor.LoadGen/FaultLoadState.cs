using System.Collections;
using System.Diagnostics;
using System.Text;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// Every request of the fault scenario and its outcome (answered, error-acked, failed by its client's
/// disconnect, timed out), and which
/// numbered broadcasts each client received. Safe for the clients' receive loops, the senders and the sweeper.
/// </summary>
internal sealed class FaultLoadState
{
    private const int MaxTicks = 100_001;
    private readonly TimeSpan _ackTimeout;
    private readonly object[] _locks;
    private readonly Dictionary<long, Request>[] _open;
    private readonly List<Request>[] _all;
    private readonly BitArray[] _ticks;
    private readonly long[] _nextId;
    private long _fires;

    public FaultLoadState(int clients, TimeSpan ackTimeout)
    {
        _ackTimeout = ackTimeout;
        _locks = [.. Enumerable.Range(0, clients).Select(_ => new object())];
        _open = [.. Enumerable.Range(0, clients).Select(_ => new Dictionary<long, Request>())];
        _all = [.. Enumerable.Range(0, clients).Select(_ => new List<Request>())];
        _ticks = [.. Enumerable.Range(0, clients).Select(_ => new BitArray(MaxTicks))];
        _nextId = new long[clients];
    }

    private enum Outcome
    {
        Pending,
        Ok,
        Error,
        Disconnected,
        Timeout,
    }

    /// <summary>Broadcasts requested so far.</summary>
    public long FiresSent => Interlocked.Read(ref _fires);

    public (long Id, string Payload) NewEcho(int client)
    {
        var id = Interlocked.Increment(ref _nextId[client]);
        var payload = $"c{client}-{id}";
        Add(client, new Request(id, false, 0, Encoding.UTF8.GetBytes(payload)));
        return (id, payload);
    }

    public (long Id, long Seq) NewFire(int client)
    {
        var id = Interlocked.Increment(ref _nextId[client]);
        var seq = Interlocked.Increment(ref _fires);
        Add(client, new Request(id, true, seq, "\"ok\""u8.ToArray()));
        return (id, seq);
    }

    public void OnInbound(BenchClient client, InboundKind kind, long id, string? name, ReadOnlyMemory<byte> message)
    {
        var index = client.Index;
        if (kind == InboundKind.Event)
        {
            var seq = name == "tick" ? ScenarioContext.ReadField(message.Span, "b:"u8) : -1;
            if (seq is > 0 and < MaxTicks)
            {
                lock (_locks[index])
                {
                    _ticks[index][(int)seq] = true;
                }
            }

            return;
        }

        lock (_locks[index])
        {
            if (_open[index].Remove(id, out var request))
            {
                request.DoneAt = Stopwatch.GetTimestamp();
                request.Outcome = message.Span.IndexOf(request.Expected) >= 0 ? Outcome.Ok : Outcome.Error;
            }
        }
    }

    /// <summary>
    /// Requests of a client whose connection broke fail by the disconnect (a client sees its connection
    /// close: nothing silent about it); of the others, those older than the ack timeout (all of them with
    /// <paramref name="force"/>) time out.
    /// </summary>
    public void Sweep(List<BenchClient> clients, bool force = false)
    {
        var now = Stopwatch.GetTimestamp();
        var broken = new bool[_open.Length];
        foreach (var client in clients)
        {
            broken[client.Index] = client.Failure is not null;
        }

        for (var i = 0; i < _open.Length; i++)
        {
            var disconnected = broken[i];
            lock (_locks[i])
            {
                foreach (var (id, request) in _open[i].ToList())
                {
                    if (disconnected || force || Stopwatch.GetElapsedTime(request.SentAt, now) > _ackTimeout)
                    {
                        request.Outcome = disconnected ? Outcome.Disconnected : Outcome.Timeout;
                        request.DoneAt = now;
                        _open[i].Remove(id);
                    }
                }
            }
        }
    }

    public int Pending()
    {
        var pending = 0;
        for (var i = 0; i < _open.Length; i++)
        {
            lock (_locks[i])
            {
                pending += _open[i].Count;
            }
        }

        return pending;
    }

    /// <summary>The row: outcomes overall, and from <paramref name="recovered"/> (the end of the fault) on.</summary>
    public ResultRow Result(string target, string fault, long faultAt, long recovered, List<BenchClient> clients)
    {
        var row = new ResultRow { Target = target, Scenario = "fault", Variant = fault };
        var connected = clients.Where(c => c.Failure is null).Select(c => c.Index).ToHashSet();
        long sent = 0, ok = 0, error = 0, timeout = 0, disconnected = 0, firesOk = 0, firesError = 0, firesTimeout = 0, firesDisconnected = 0, missing = 0;
        double allWorking = 0, lastBad = 0;
        var okFires = new List<long>();
        for (var i = 0; i < _all.Length; i++)
        {
            lock (_locks[i])
            {
                foreach (var r in _all[i].Where(r => r.IsFire))
                {
                    switch (r.Outcome)
                    {
                        case Outcome.Ok: firesOk++; okFires.Add(r.Seq); break;
                        case Outcome.Error: firesError++; break;
                        case Outcome.Disconnected: firesDisconnected++; break;
                        default: firesTimeout++; break;
                    }
                }
            }
        }

        for (var i = 0; i < _all.Length; i++)
        {
            lock (_locks[i])
            {
                var firstOk = double.PositiveInfinity;
                foreach (var r in _all[i].Where(r => !r.IsFire))
                {
                    sent++;
                    switch (r.Outcome)
                    {
                        case Outcome.Ok: ok++; break;
                        case Outcome.Error: error++; break;
                        case Outcome.Disconnected: disconnected++; break;
                        default: timeout++; break;
                    }

                    if (r.SentAt < recovered || !connected.Contains(i))
                    {
                        continue;
                    }

                    var done = Stopwatch.GetElapsedTime(recovered, r.DoneAt).TotalMilliseconds;
                    if (r.Outcome == Outcome.Ok)
                    {
                        firstOk = Math.Min(firstOk, done);
                        if (Stopwatch.GetElapsedTime(r.SentAt, r.DoneAt).TotalMilliseconds > 1000)
                        {
                            lastBad = Math.Max(lastBad, done);
                        }
                    }
                    else
                    {
                        lastBad = Math.Max(lastBad, Stopwatch.GetElapsedTime(recovered, r.SentAt).TotalMilliseconds);
                    }
                }

                if (connected.Contains(i))
                {
                    allWorking = double.IsInfinity(firstOk) || allWorking < 0 ? -1 : Math.Max(allWorking, firstOk);
                    missing += okFires.Count(seq => seq < MaxTicks && !_ticks[i][(int)seq]);
                }
            }
        }

        row.Set("clients", clients.Count);
        row.Set("connected", connected.Count);
        row.Set("disconnects", clients.Count - connected.Count);
        row.Set("echo_sent", sent);
        row.Set("echo_ok", ok);
        row.Set("echo_error", error);
        row.Set("echo_timeout", timeout);
        row.Set("echo_disconnected", disconnected);
        row.Set("all_working_ms", allWorking);
        row.Set("last_bad_ms", lastBad);
        row.Set("fault_ms", Stopwatch.GetElapsedTime(faultAt, recovered).TotalMilliseconds);
        row.Set("fires_ok", firesOk);
        row.Set("fires_error", firesError);
        row.Set("fires_timeout", firesTimeout);
        row.Set("fires_disconnected", firesDisconnected);
        row.Set("broadcasts_missing", missing);
        return row;
    }

    private void Add(int client, Request request)
    {
        lock (_locks[client])
        {
            _open[client][request.Id] = request;
            _all[client].Add(request);
        }
    }

    private sealed class Request(long id, bool isFire, long seq, byte[] expected)
    {
        public long Id { get; } = id;

        public bool IsFire { get; } = isFire;

        public long Seq { get; } = seq;

        public byte[] Expected { get; } = expected;

        public long SentAt { get; } = Stopwatch.GetTimestamp();

        public long DoneAt { get; set; }

        public Outcome Outcome { get; set; }
    }
}
