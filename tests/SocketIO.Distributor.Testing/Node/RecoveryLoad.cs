using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// <c>tests/clients/recovery-load.mjs</c>: many real socket.io-client v4 sockets, each on its own
/// connection, that can all be cut at once, reconnected to another distributor, and checked for
/// duplicates and gaps. Killed on dispose.
/// </summary>
public sealed class RecoveryLoad : IAsyncDisposable
{
    private static readonly TimeSpan HardLimit = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly ITestOutputHelper _log;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _replies = new();
    private readonly TaskCompletionSource<JsonElement> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lastId;

    private RecoveryLoad(Process process, ITestOutputHelper log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>Starts <paramref name="count"/> sockets on <paramref name="url"/> and waits until all are connected.</summary>
    public static async Task<RecoveryLoad> StartAsync(string url, string nsp, int count, ITestOutputHelper log, TimeSpan timeout)
    {
        await NodeClients.EnsureInstalledAsync();
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryLayout.ClientsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "recovery-load.mjs", url, nsp, count.ToString(CultureInfo.InvariantCulture), HardLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture) })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start node.");
        process.StandardInput.AutoFlush = true;
        var load = new RecoveryLoad(process, log);
        _ = load.ReadAsync();
        _ = LineReader.Start(load._process.StandardError, line => load.OnErrorLine("stderr: " + line), "recovery-load stderr");
        var connected = await load._connected.Task.WaitAsync(timeout);
        log.WriteLine($"recovery-load: {connected}");
        return load;
    }

    /// <summary>Destroys every socket's TCP connection.</summary>
    public Task<JsonElement> CutAsync() => CommandAsync(new JsonObject { ["cmd"] = "cut" }, TimeSpan.FromSeconds(10));

    /// <summary>Reconnects every socket to <paramref name="url"/> once it is disconnected; completes when all are back.</summary>
    public Task<JsonElement> ReconnectAsync(string url, TimeSpan timeout) => CommandAsync(new JsonObject { ["cmd"] = "reconnect", ["url"] = url }, timeout);

    /// <summary>Waits until every socket got <c>n</c> = <paramref name="n"/> (even ones <c>e</c> = <paramref name="e"/>), then counts duplicates and gaps.</summary>
    public Task<JsonElement> SettleAsync(int n, int e, TimeSpan timeout) =>
        CommandAsync(new JsonObject { ["cmd"] = "settle", ["n"] = n, ["e"] = e, ["timeoutMs"] = (int)timeout.TotalMilliseconds }, timeout + TimeSpan.FromSeconds(10));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private async Task<JsonElement> CommandAsync(JsonObject command, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _lastId);
        command["id"] = id;
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _replies[id] = reply;
        await _process.StandardInput.WriteLineAsync(command.ToJsonString());
        var result = await reply.Task.WaitAsync(timeout);
        _log.WriteLine($"recovery-load {command["cmd"]}: {result}");
        if (!result.GetProperty("ok").GetBoolean())
        {
            throw new Xunit.Sdk.XunitException($"recovery-load {command["cmd"]} failed: {result}");
        }

        return result;
    }

    private async Task ReadAsync()
    {
        await LineReader.Start(_process.StandardOutput, OnLine, "recovery-load stdout").ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        _connected.TrySetException(new Xunit.Sdk.XunitException("recovery-load exited"));
    }

    private void OnLine(string line)
    {
        JsonElement message;
        try
        {
            message = JsonSerializer.Deserialize<JsonElement>(line);
        }
        catch (JsonException)
        {
            OnErrorLine(line);
            return;
        }

        if (message.TryGetProperty("id", out var id) && _replies.TryRemove(id.GetInt32(), out var reply))
        {
            reply.TrySetResult(message);
        }
        else if (message.TryGetProperty("event", out var ev) && ev.GetString() == "connected")
        {
            _connected.TrySetResult(message);
        }
        else
        {
            _connected.TrySetException(new Xunit.Sdk.XunitException($"recovery-load: {line}"));
        }
    }

    private void OnErrorLine(string line)
    {
        try
        {
            _log.WriteLine($"recovery-load: {line}");
        }
        catch (InvalidOperationException)
        {
            // The test is over: nobody reads its output any more.
        }
    }
}
