using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// A stream of acked events from real socket.io clients: each socket runs <c>lanes</c> loops that emit
/// <c>message-with-ack</c> with a unique string and wait for its ack. Every request ends as exactly one
/// of: answered with the right value, answered with an error ack (<c>{"message","code"}</c>), answered
/// wrongly, or timed out. With <c>withoutAck</c>, each request is preceded by a <c>message</c> without
/// ack (echoed as <c>message-back</c>). Bounded in count (<see cref="MaxPerLane"/>) and in time (the caller stops it).
/// </summary>
internal sealed class AckedLoad
{
    /// <summary>The most requests one lane sends.</summary>
    public const int MaxPerLane = 5_000;

    private readonly NodeClientDriver _clients;
    private readonly TimeSpan _ackTimeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly List<Task> _lanes = [];
    private readonly bool _withoutAck;
    private long _sent;
    private long _sentWithoutAck;

    public AckedLoad(NodeClientDriver clients, IEnumerable<string> sockets, int lanes, TimeSpan ackTimeout, bool withoutAck = false)
    {
        _clients = clients;
        _ackTimeout = ackTimeout;
        _withoutAck = withoutAck;
        foreach (var socket in sockets)
        {
            for (var lane = 0; lane < lanes; lane++)
            {
                _lanes.Add(RunAsync(socket, lane));
            }
        }
    }

    /// <summary>Requests sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Events without ack sent so far.</summary>
    public long SentWithoutAck => Interlocked.Read(ref _sentWithoutAck);

    /// <summary>Every answer so far, in the order they came.</summary>
    public IReadOnlyList<Answer> Answers => [.. _answers];

    public int Count(Outcome outcome) => _answers.Count(a => a.Outcome == outcome);

    /// <summary>Stops sending and waits for every request in flight to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_lanes);
    }

    private async Task RunAsync(string socket, int lane)
    {
        for (var n = 0; n < MaxPerLane && !_stop.IsCancellationRequested; n++)
        {
            var value = $"{socket}-{lane}-{n}";
            if (_withoutAck)
            {
                await _clients.EmitAsync(socket, "message", "m-" + value);
                Interlocked.Increment(ref _sentWithoutAck);
            }

            Interlocked.Increment(ref _sent);
            Answer answer;
            try
            {
                var ack = await _clients.EmitWithAckAsync(socket, "message-with-ack", [value], _ackTimeout);
                answer = Classify(value, ack);
            }
            catch (Xunit.Sdk.XunitException e) when (e.Message.StartsWith("Timed out", StringComparison.Ordinal))
            {
                answer = new Answer(value, Outcome.TimedOut, null, Stopwatch.GetTimestamp(), e.Message);
            }

            _answers.Enqueue(answer);
        }
    }

    private static Answer Classify(string value, JsonElement[] ack)
    {
        var at = Stopwatch.GetTimestamp();
        if (ack.Length >= 1 && ack[0].ValueKind == JsonValueKind.Object && ack[0].TryGetProperty("code", out var code))
        {
            return new Answer(value, Outcome.ErrorAck, null, at, code.GetString());
        }

        if (ack.Length >= 1 && ack[0].ValueKind == JsonValueKind.String && ack[0].GetString() == value)
        {
            return new Answer(value, Outcome.Answered, ack.Length > 1 ? ack[1].GetString() : null, at, null);
        }

        return new Answer(value, Outcome.Wrong, null, at, string.Join(",", ack.Select(a => a.GetRawText())));
    }

    public enum Outcome
    {
        Answered,
        ErrorAck,
        Wrong,
        TimedOut,
    }

    /// <param name="Value">What was sent.</param>
    /// <param name="Outcome">How it ended.</param>
    /// <param name="Backend">The label the answering backend added (null for the echo sample).</param>
    /// <param name="At">When the answer came (a <see cref="Stopwatch"/> timestamp).</param>
    /// <param name="Detail">The error code, the wrong answer, or the timeout message.</param>
    public sealed record Answer(string Value, Outcome Outcome, string? Backend, long At, string? Detail);
}
