using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>
/// Real socket.io-client sockets (v4 or v2) under Node, scripted step by step: one
/// <c>tests/clients/driver.mjs</c> process whose sockets are connected, emit and ack on command,
/// and whose every received event is recorded (see <see cref="Events"/> and <see cref="WaitForEventAsync"/>).
/// Sockets to the same url and transports share one Engine.IO connection unless that connection
/// already has the namespace (then a new one opens), as in a real app.
/// </summary>
public sealed partial class NodeClientDriver : IAsyncDisposable
{
    /// <summary>The driver exits by itself after this long, so it can never outlive a test run.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(120);

    private const string Script = "driver.mjs";

    /// <summary>How long the driver may take to answer a command beyond the command's own timeout.</summary>
    private static readonly TimeSpan ReplyMargin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(2);

    private const string MissingNodeHint =
        "The end-to-end tests drive real Socket.IO clients under Node.js: install Node.js 18 or later with npm, and put node and npm on PATH.";

    private readonly Process _process;
    private readonly ITestOutputHelper? _log;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly StringBuilder _stderrTail = new();
    private Task _readers = Task.CompletedTask;
    private long _nextId;

    private NodeClientDriver(string version, Process process, ITestOutputHelper? log)
    {
        Version = version;
        _process = process;
        _log = log;
    }

    /// <summary>The client library: <c>v4</c> (socket.io-client 4.x, Engine.IO 4) or <c>v2</c> (2.x, Engine.IO 3).</summary>
    public string Version { get; }

    /// <summary>
    /// Installs the clients package if needed and starts a driver.
    /// </summary>
    /// <param name="version"><c>v4</c> or <c>v2</c>.</param>
    /// <param name="log">Receives the driver's standard error and unexpected output.</param>
    public static async Task<NodeClientDriver> StartAsync(string version, ITestOutputHelper? log = null)
    {
        if (version is not ("v4" or "v2"))
        {
            throw new ArgumentException($"Unknown client version '{version}': use v4 or v2.", nameof(version));
        }

        await NodeClients.EnsureInstalledAsync();
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryLayout.ClientsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(Script);
        startInfo.ArgumentList.Add(version);
        startInfo.ArgumentList.Add(MaxLifetime.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        startInfo.Environment["NO_COLOR"] = "1";

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start 'node': {e.Message}. {MissingNodeHint}", e);
        }

        process.StandardInput.AutoFlush = true;
        var driver = new NodeClientDriver(version, process, log);
        driver._readers = Task.WhenAll(driver.ReadStdoutAsync(), LineReader.Start(process.StandardError, driver.OnStderrLine, $"driver {version} stderr"));
        return driver;
    }

    /// <summary>Connects a socket named <paramref name="name"/> to <paramref name="nsp"/>; returns its Socket.IO id.</summary>
    /// <param name="name">How the test names this socket in later calls and in <see cref="DriverEvent.Name"/>.</param>
    /// <param name="url">The server's base address, e.g. <c>http://127.0.0.1:5000</c>.</param>
    /// <param name="nsp">The namespace, e.g. <c>/</c> or <c>/chat</c>.</param>
    /// <param name="auth">The handshake auth (v4); v2 sends it as the query string, each value a string.</param>
    /// <param name="transports">Default <c>["websocket"]</c>; <c>["polling"]</c>, or <c>["polling","websocket"]</c> to upgrade.</param>
    /// <param name="timeout">How long to wait for the connection; default <see cref="Eventually.DefaultTimeout"/>.</param>
    /// <param name="connection">
    /// Names the Engine.IO connection to use: sockets with the same name share one. By default a socket joins
    /// the first connection to the same url and transports that does not have its namespace yet.
    /// </param>
    /// <exception cref="InvalidOperationException">The server refused the connection or it timed out; the message says why.</exception>
    public async Task<string> ConnectAsync(
        string name, string url, string nsp = "/", object? auth = null, string[]? transports = null, TimeSpan? timeout = null, string? connection = null)
    {
        var reply = await SendConnectAsync(name, url, nsp, auth, transports, timeout, connection);
        if (!IsOk(reply))
        {
            throw new InvalidOperationException(
                $"Socket '{name}' ({Version}) could not connect to {url} namespace {nsp}: {ErrorOf(reply)}");
        }

        return reply.GetProperty("sid").GetString()!;
    }

    /// <summary>
    /// Like <see cref="ConnectAsync"/>, for a connection expected to fail: returns the connect error's
    /// message (<c>timeout</c> when nothing came in time), or null when the socket connected.
    /// </summary>
    public async Task<string?> TryConnectAsync(
        string name, string url, string nsp = "/", object? auth = null, string[]? transports = null, TimeSpan? timeout = null, string? connection = null)
    {
        var reply = await SendConnectAsync(name, url, nsp, auth, transports, timeout, connection);
        return IsOk(reply) ? null : ErrorOf(reply);
    }

    /// <summary>Emits <paramref name="ev"/> with <paramref name="args"/> (<c>byte[]</c> anywhere is sent as binary).</summary>
    public async Task EmitAsync(string name, string ev, params object?[] args) =>
        EnsureOk(await CommandAsync(new JsonObject { ["cmd"] = "emit", ["name"] = name, ["event"] = ev, ["args"] = DriverJson.ToNode(args) }), "emit", name);

    /// <summary>Emits <paramref name="ev"/> asking for an ack; returns the ack's arguments.</summary>
    public async Task<JsonElement[]> EmitWithAckAsync(string name, string ev, object?[] args, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Eventually.DefaultTimeout;
        var reply = await CommandAsync(
            new JsonObject { ["cmd"] = "emitWithAck", ["name"] = name, ["event"] = ev, ["args"] = DriverJson.ToNode(args), ["timeoutMs"] = Milliseconds(limit) },
            limit + ReplyMargin);
        if (!IsOk(reply) && ErrorOf(reply) == "timeout")
        {
            throw new Xunit.Sdk.XunitException($"Timed out after {limit} waiting for the ack of \"{ev}\" emitted by socket '{name}' ({Version}).");
        }

        EnsureOk(reply, $"emit \"{ev}\" with ack", name);
        return [.. reply.GetProperty("ack").EnumerateArray()];
    }

    /// <summary>
    /// From now on, when the server emits <paramref name="ev"/> to socket <paramref name="name"/> asking for
    /// an ack, the socket acks with <paramref name="reply"/>, or with the arguments it received when null.
    /// </summary>
    public async Task SetAckReplyAsync(string name, string ev, object?[]? reply) =>
        EnsureOk(
            await CommandAsync(new JsonObject { ["cmd"] = "ackPolicy", ["name"] = name, ["event"] = ev, ["reply"] = reply is null ? "echo" : DriverJson.ToNode(reply) }),
            "set an ack reply",
            name);

    /// <summary>Disconnects socket <paramref name="name"/> (client side); its <c>$disconnect</c> follows.</summary>
    public async Task DisconnectAsync(string name) =>
        EnsureOk(await CommandAsync(new JsonObject { ["cmd"] = "disconnect", ["name"] = name }), "disconnect", name);

    /// <summary>
    /// Writes an Engine.IO packet as text (e.g. <c>42["ev"]</c>) on the connection of socket <paramref name="name"/>,
    /// bypassing the Socket.IO encoder; a packet with an unknown type digit is written straight to the transport.
    /// </summary>
    public async Task SendRawAsync(string name, string enginePacket) =>
        EnsureOk(await CommandAsync(new JsonObject { ["cmd"] = "raw", ["name"] = name, ["packet"] = enginePacket }), "send a raw packet", name);

    /// <summary>Writes a binary Engine.IO message on the connection of socket <paramref name="name"/>.</summary>
    public async Task SendRawBinaryAsync(string name, byte[] data) =>
        EnsureOk(
            await CommandAsync(new JsonObject { ["cmd"] = "rawBinary", ["name"] = name, ["base64"] = Convert.ToBase64String(data) }),
            "send a raw binary packet",
            name);

    /// <summary>Closes every socket, then ends the driver (waiting briefly before killing it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await CommandAsync(new JsonObject { ["cmd"] = "close" }, ExitTimeout);
                await _process.WaitForExitAsync().WaitAsync(ExitTimeout);
            }
            catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException or Xunit.Sdk.XunitException)
            {
                // It did not close in time: killed below.
            }

            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        await _readers.WaitAsync(ExitTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        _writeGate.Dispose();
    }

    private async Task<JsonElement> SendConnectAsync(
        string name, string url, string nsp, object? auth, string[]? transports, TimeSpan? timeout, string? connection)
    {
        var limit = timeout ?? Eventually.DefaultTimeout;
        var command = new JsonObject
        {
            ["cmd"] = "connect",
            ["name"] = name,
            ["url"] = url,
            ["nsp"] = nsp,
            ["auth"] = DriverJson.ToNode(auth),
            ["transports"] = DriverJson.ToNode(transports ?? ["websocket"]),
            ["timeoutMs"] = Milliseconds(limit),
            ["connection"] = connection,
        };
        return await CommandAsync(command, limit + ReplyMargin);
    }

    /// <summary>Sends one command line and waits for the reply with its id.</summary>
    private async Task<JsonElement> CommandAsync(JsonObject command, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        command["id"] = id;
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            ThrowIfExited();
            await _writeGate.WaitAsync();
            try
            {
                await _process.StandardInput.WriteLineAsync(command.ToJsonString(DriverJson.Options));
            }
            finally
            {
                _writeGate.Release();
            }

            var limit = timeout ?? Eventually.DefaultTimeout;
            try
            {
                return await reply.Task.WaitAsync(limit);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException(
                    $"The {Version} driver did not answer \"{command["cmd"]}\" within {limit}.{StderrSummary()}");
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadStdoutAsync()
    {
        await LineReader.Start(_process.StandardOutput, OnStdoutLine, $"driver {Version} stdout").ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The driver is gone: nothing pending will ever be answered.
        var gone = new InvalidOperationException($"The {Version} driver exited.{StderrSummary()}");
        foreach (var reply in _pending.Values)
        {
            reply.TrySetException(gone);
        }

        FailWaiters(gone);
    }

    private void OnStdoutLine(string line)
    {
        if (TryParse(line) is not { } message)
        {
            Log($"[driver {Version} stdout] {line}");
        }
        else if (message.TryGetProperty("id", out var id) && id.TryGetInt64(out var commandId))
        {
            if (_pending.TryGetValue(commandId, out var reply))
            {
                reply.TrySetResult(message);
            }
        }
        else if (message.TryGetProperty("event", out _))
        {
            Record(message);
        }
    }

    private void OnStderrLine(string line)
    {
        lock (_stderrTail)
        {
            _stderrTail.AppendLine(line);
            if (_stderrTail.Length > 4000)
            {
                _stderrTail.Remove(0, _stderrTail.Length - 4000);
            }
        }

        Log($"[driver {Version} stderr] {line}");
    }

    private void Log(string text)
    {
        try
        {
            _log?.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // The test has finished: xunit no longer takes output for it.
        }
    }

    private void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The {Version} driver has exited (code {_process.ExitCode}).{StderrSummary()}");
        }
    }

    private string StderrSummary()
    {
        lock (_stderrTail)
        {
            return _stderrTail.Length == 0 ? "" : $"\nDriver stderr:\n{_stderrTail.ToString().TrimEnd()}";
        }
    }

    private void EnsureOk(JsonElement reply, string what, string name)
    {
        if (!IsOk(reply))
        {
            throw new InvalidOperationException($"Socket '{name}' ({Version}) could not {what}: {ErrorOf(reply)}");
        }
    }

    private static bool IsOk(JsonElement reply) => reply.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;

    private static string ErrorOf(JsonElement reply) =>
        reply.TryGetProperty("error", out var error) ? error.ToString() : reply.GetRawText();

    private static long Milliseconds(TimeSpan time) => (long)time.TotalMilliseconds;

    private static JsonElement? TryParse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
