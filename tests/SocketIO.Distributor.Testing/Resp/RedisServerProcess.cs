using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace SocketIO.Distributor.Testing.Resp;

/// <summary>
/// A real <c>redis-server</c> of one test, on its own free loopback port, without persistence, that
/// the test can kill (SIGKILL) and restart on the same port: a Redis restart as an operator sees it.
/// The program is <c>redis-server</c> on PATH (or <c>SIOD_REDIS_SERVER</c>); CI installs it.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private Process? _process;

    private RedisServerProcess(int port) => Port = port;

    /// <summary>The loopback port it listens on (the same after a restart).</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a server on a free loopback port and waits until it answers PING.</summary>
    /// <returns>The running server.</returns>
    public static async Task<RedisServerProcess> StartAsync()
    {
        var server = new RedisServerProcess(TestRedis.FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Kills the server with SIGKILL (no shutdown, no save) and waits until it is gone.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync().WaitAsync(StartTimeout);
        process.Dispose();
    }

    /// <summary>Starts the server (again) on the same port and waits until it answers PING.</summary>
    /// <returns>A task that completes when it is ready.</returns>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The server is running; kill it first.");
        }

        var program = await SystemRedis.EnsureServerAsync();
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--loglevel", "warning" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start '{program}': {ex.Message}. Install it with: {SystemRedis.InstallCommand} (or set SIOD_REDIS_SERVER).", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync())
        {
            if (process.HasExited || deadline.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not start (exited: {process.HasExited}).");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Sends one command over a fresh connection (admin commands such as <c>CLIENT KILL</c>) and returns the raw reply.</summary>
    /// <param name="arguments">The command and its arguments.</param>
    /// <returns>The reply as text (RESP).</returns>
    public async Task<string> CommandAsync(params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        var request = new StringBuilder($"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            request.Append(System.Globalization.CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(StartTimeout);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}
