using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Resp;
using Xunit.Abstractions;

namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Resilience;

/// <summary>
/// The SocketIOEcho sample as a separate process in a <see cref="TestCluster"/> (its prefix, the test
/// RESP server, heartbeats of <see cref="TestCluster.Heartbeat"/>), so that a test can kill it the
/// way a crash would. Always killed on dispose.
/// </summary>
internal sealed partial class EchoProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly ITestOutputHelper? _log;
    private readonly StringBuilder _tail = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EchoProcess(Process process, ITestOutputHelper? log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>The base URL it listens on.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts <c>SocketIOEcho --role <paramref name="role"/></c> and waits until it listens.</summary>
    /// <param name="cluster">The cluster it joins.</param>
    /// <param name="role">Its role.</param>
    /// <param name="log">Where its output goes.</param>
    /// <param name="heartbeat">Its heartbeat (its member timeout is three); <see cref="TestCluster.Heartbeat"/> by default.</param>
    /// <param name="distributorId">The distributor's configured id (<c>--distributor-id</c>); a new one per run if null.</param>
    public static async Task<EchoProcess> StartAsync(TestCluster cluster, string role, ITestOutputHelper? log = null, TimeSpan? heartbeat = null, string? distributorId = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "SocketIOEcho.dll");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            dll, "--urls", "http://127.0.0.1:0", "--role", role, "--redis", TestRedis.ConnectionString,
            "--prefix", cluster.Prefix, "--heartbeat", ((int)(heartbeat ?? TestCluster.Heartbeat).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (distributorId is not null)
        {
            startInfo.ArgumentList.Add("--distributor-id");
            startInfo.ArgumentList.Add(distributorId);
        }

        startInfo.Environment["DOTNET_gcServer"] = "0";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["Logging__Console__FormatterName"] = "simple";
        startInfo.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start 'dotnet {dll}': {e.Message}", e);
        }

        var child = new EchoProcess(process, log);
        _ = child.ReadAsync(process.StandardOutput, "stdout");
        _ = child.ReadAsync(process.StandardError, "stderr");
        try
        {
            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(child._listening.Task, exited).WaitAsync(StartTimeout);
            if (first != child._listening.Task)
            {
                throw new InvalidOperationException($"SocketIOEcho --role {role} exited with code {process.ExitCode} before listening.{child.Tail()}");
            }

            child.Url = await child._listening.Task;
            return child;
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"SocketIOEcho --role {role} did not listen within {StartTimeout}.{child.Tail()}");
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process tree at once (SIGKILL: no shutdown, no leave announcement) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WithTimeout("the killed SocketIOEcho process to exit");
    }

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
            // Already gone, or it could not be reaped in time: nothing more to do.
        }

        _process.Dispose();
    }

    private async Task ReadAsync(StreamReader reader, string stream)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_tail)
                {
                    _tail.AppendLine(line);
                    if (_tail.Length > 4000)
                    {
                        _tail.Remove(0, _tail.Length - 4000);
                    }
                }

                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    _listening.TrySetResult(match.Groups[1].Value.TrimEnd('/'));
                }

                try
                {
                    _log?.WriteLine($"[echo {stream}] {line}");
                }
                catch (InvalidOperationException)
                {
                    // The test has finished.
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process is gone.
        }
    }

    private string Tail()
    {
        lock (_tail)
        {
            return _tail.Length == 0 ? "" : "\nOutput:\n" + _tail.ToString().TrimEnd();
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
