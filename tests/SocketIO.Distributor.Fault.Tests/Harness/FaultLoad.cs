using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>
/// The client load of the fault tests: <c>tests/clients/fault-load.mjs</c>, real socket.io-client v4
/// sockets spread over the distributors, each sending acked echoes; two of them request numbered
/// broadcasts. The script counts every outcome; this class sends it commands (mark a fault, fire
/// on/off, report) and reads its stats and reports. Killed on dispose.
/// </summary>
internal sealed partial class FaultLoad : IAsyncDisposable
{
    /// <summary>Milliseconds between two echoes of one client.</summary>
    public const int EchoIntervalMs = 500;

    /// <summary>Milliseconds between two numbered broadcasts.</summary>
    public const int FireIntervalMs = 100;

    /// <summary>How long a client waits for an ack before counting a timeout (a silent loss).</summary>
    public const int AckTimeoutMs = 5000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly FaultProcess _node;

    private FaultLoad(FaultProcess node, int clients)
    {
        _node = node;
        Clients = clients;
    }

    /// <summary>The number of clients.</summary>
    public int Clients { get; }

    /// <summary>Starts <paramref name="clients"/> clients over <paramref name="urls"/> and waits until every one is connected and has had an echo answered.</summary>
    public static async Task<FaultLoad> StartAsync(IReadOnlyList<string> urls, int clients, ITestOutputHelper log, int maxSeconds = 150)
    {
        await NodeClients.EnsureInstalledAsync();
        var node = FaultProcess.Start(
            "load",
            "node",
            [
                Path.Combine(RepositoryLayout.ClientsDirectory, "fault-load.mjs"), string.Join(',', urls),
                Invariant(clients), Invariant(EchoIntervalMs), Invariant(FireIntervalMs), Invariant(AckTimeoutMs), Invariant(maxSeconds),
            ],
            missingHint: "The fault tests drive real socket.io clients under Node.js: install Node.js 18 or later with npm.");
        var load = new FaultLoad(node, clients);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var ready = await load.WaitForStatsAsync(s => s.Connected == clients && s.Working == clients, $"all {clients} clients connected and answered", TimeSpan.FromSeconds(60));
            log.WriteLine($"load: {clients} clients connected and echoing after {Poll.MillisecondsSince(started)} ms ({ready})");
            return load;
        }
        catch
        {
            await load.DisposeAsync();
            throw;
        }
    }

    /// <summary>The latest stats line, or null before the first.</summary>
    public LoadStats? Stats
    {
        get
        {
            var line = _node.Lines.LastOrDefault(l => l.Text.StartsWith("{\"type\":\"stats\"", StringComparison.Ordinal));
            return line is null ? null : JsonSerializer.Deserialize<LoadStats>(line.Text, Json);
        }
    }

    /// <summary>Waits until the script's stats satisfy <paramref name="condition"/>; returns them.</summary>
    public async Task<LoadStats> WaitForStatsAsync(Func<LoadStats, bool> condition, string because, TimeSpan? timeout = null)
    {
        LoadStats? last = null;
        try
        {
            await Poll.UntilAsync(
                () =>
                {
                    if (_node.HasExited)
                    {
                        throw new Xunit.Sdk.XunitException($"The load script exited with code {_node.ExitCode}.{_node.Tail()}");
                    }

                    last = Stats;
                    return Task.FromResult(last is not null && condition(last));
                },
                because,
                timeout,
                TimeSpan.FromMilliseconds(50));
        }
        catch (Xunit.Sdk.XunitException e) when (!e.Message.StartsWith("The load script", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} Last stats: {last}{_node.Tail(5)}");
        }

        return last!;
    }

    /// <summary>Marks this moment (a fault); the "since" figures of later stats and reports count from here.</summary>
    public async Task MarkAsync(string name)
    {
        var since = Stopwatch.GetTimestamp();
        await _node.WriteLineAsync($"mark {name}");
        await _node.WaitForLineAsync(new Regex($"\"type\":\"marked\",\"name\":\"{Regex.Escape(name)}\""), $"the mark '{name}'", since: since);
    }

    /// <summary>Starts or stops the numbered broadcasts.</summary>
    public Task FireAsync(bool on) => _node.WriteLineAsync(on ? "fire on" : "fire off");

    /// <summary>Starts or stops the echoes.</summary>
    public Task EchoAsync(bool on) => _node.WriteLineAsync(on ? "echo on" : "echo off");

    /// <summary>Asks for a full report.</summary>
    public async Task<LoadReport> ReportAsync()
    {
        var since = Stopwatch.GetTimestamp();
        await _node.WriteLineAsync("report");
        var line = await _node.WaitForLineAsync(ReportLine(), "a report", since: since);
        return JsonSerializer.Deserialize<LoadReport>(line.Text, Json) ?? throw new Xunit.Sdk.XunitException("The load script printed an empty report.");
    }

    /// <summary>
    /// Stops sending, waits until every request and broadcast has an outcome (answered, error or timed out)
    /// and every acked broadcast has reached every connected client or stopped arriving, then reports.
    /// </summary>
    public async Task<LoadReport> SettleAsync()
    {
        await FireAsync(false);
        await EchoAsync(false);
        LoadReport report = await ReportAsync();
        var deadline = Stopwatch.GetTimestamp() + (long)(TimeSpan.FromMilliseconds(AckTimeoutMs + 5000).TotalSeconds * Stopwatch.Frequency);
        var previousDelivered = -1L;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var delivered = report.Groups.Sum(g => (long)g.Broadcasts.Delivered);
            var settled = report.Echo.Pending == 0 && report.Fires.Pending == 0 && (report.BroadcastsMissing == 0 || delivered == previousDelivered);
            if (settled)
            {
                return report;
            }

            previousDelivered = delivered;
            await Task.Delay(200);
            report = await ReportAsync();
        }

        return report;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_node.HasExited)
            {
                await _node.WriteLineAsync("quit");
            }
        }
        catch (IOException)
        {
            // Already gone.
        }

        await _node.DisposeAsync();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^\\{\"type\":\"report\"")]
    private static partial Regex ReportLine();
}

/// <summary>A stats line of the load script.</summary>
internal sealed record LoadStats(int T, int Connected, int Disconnects, int EchoOk, int EchoBad, int Working, int? AllWorkingMs, int Fires);

/// <summary>Echo outcomes; <paramref name="Disconnected"/>: failed at the client because its connection closed first (it is told, not a silent loss).</summary>
internal sealed record EchoCounts(int Sent, int Ok, int ErrorAcks, int Timeouts, int Pending, int Disconnected = 0);

/// <summary>Broadcast request outcomes: ok means the backend acked it after publishing.</summary>
internal sealed record FireCounts(int Sent, int Ok, int ErrorAcks, int Timeouts, int Unsent, int Pending, int DeliveredUnacked, int Disconnected = 0);

/// <summary>Figures since a mark: clients working again, how long requests kept failing, disconnects the clients saw.</summary>
internal sealed record SinceMark(string Mark, int Working, int? AllWorkingMs, int FailedSent, int InFlightLost, int LastBadMs, int MaxLatencyMs, int Disconnects = 0, int BroadcastsAcked = 0, int BroadcastsMissing = 0, int FiresFailed = 0);

/// <summary>Broadcast deliveries of one group of clients, counted against the acked broadcasts.</summary>
internal sealed record BroadcastCounts(int Delivered, int Missing, int ClientsWithGaps, int Duplicates);

/// <summary>The clients of one distributor.</summary>
internal sealed record GroupReport(string Url, int Clients, int Connected, int Disconnects, Dictionary<string, int> DisconnectReasons, int ConnectErrors, EchoCounts Echo, BroadcastCounts Broadcasts);

/// <summary>The load script's full report.</summary>
internal sealed record LoadReport(
    int T,
    int Clients,
    int Connected,
    int Disconnects,
    EchoCounts Echo,
    FireCounts Fires,
    int BroadcastsMissing,
    int BroadcastsMissingDistinct,
    List<JsonElement> ErrorSamples,
    List<SinceMark> Since,
    List<GroupReport> Groups)
{
    /// <summary>The figures since the mark named <paramref name="name"/>.</summary>
    public SinceMark SinceMark(string name) => Since.Find(s => s.Mark == name) ?? throw new Xunit.Sdk.XunitException($"No mark '{name}' in the report.");

    /// <summary>One paragraph for the test output.</summary>
    public string Describe() =>
        $"clients {Connected}/{Clients} connected, {Disconnects} disconnect(s); " +
        $"echo: {Echo.Sent} sent, {Echo.Ok} answered, {Echo.ErrorAcks} error-acked, {Echo.Timeouts} timed out, {Echo.Disconnected} failed by a disconnect, {Echo.Pending} pending; " +
        $"broadcasts: {Fires.Sent} requested, {Fires.Ok} acked, {Fires.ErrorAcks} error-acked, {Fires.Timeouts} timed out, {Fires.Disconnected} failed by a disconnect ({Fires.DeliveredUnacked} unacked delivered anyway), {Fires.Unsent} unsent; " +
        $"{BroadcastsMissing} deliveries of acked broadcasts missing ({BroadcastsMissingDistinct} distinct broadcasts)" +
        (ErrorSamples.Count > 0 ? $"; error acks look like {string.Join(", ", ErrorSamples.Select(e => e.GetRawText()))}" : "") +
        string.Concat(Since.Select(s => $"\n  since {s.Mark}: {s.Working}/{Clients} working, all working after {(s.AllWorkingMs is { } ms ? $"{ms} ms" : "never")}, {s.FailedSent} request(s) sent after it failed, {s.InFlightLost} in flight lost, {s.Disconnects} disconnect(s), {s.BroadcastsMissing} deliveries missing of {s.BroadcastsAcked} acked broadcasts ({s.FiresFailed} broadcast request(s) failed), last bad request at +{s.LastBadMs} ms, max latency {s.MaxLatencyMs} ms")) +
        string.Concat(Groups.Select(g => $"\n  {g.Url}: {g.Connected}/{g.Clients} connected, {g.Disconnects} disconnect(s) {JsonSerializer.Serialize(g.DisconnectReasons)}, echo {g.Echo.Ok}/{g.Echo.Sent} answered ({g.Echo.ErrorAcks} error, {g.Echo.Timeouts} timeout), broadcasts {g.Broadcasts.Missing} missing at {g.Broadcasts.ClientsWithGaps} client(s), {g.Broadcasts.Duplicates} duplicate(s)"));
}
