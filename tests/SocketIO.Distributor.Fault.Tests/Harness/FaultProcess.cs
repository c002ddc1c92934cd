using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using SocketIO.Distributor.Testing;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>One line a child process printed, with the moment it arrived here (<see cref="Stopwatch"/> ticks).</summary>
internal sealed record OutputLine(long At, string Stream, string Text);

/// <summary>
/// A real child process a fault test can kill -9, freeze (SIGSTOP), resume (SIGCONT) or terminate
/// (SIGTERM). Every output line is kept with its arrival time, so tests can wait for a line and time
/// it. Always killed, with its process tree, on dispose.
/// </summary>
internal sealed class FaultProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper? _log;
    private readonly List<OutputLine> _lines = [];
    private readonly Task _readers;
    private bool _paused;

    private FaultProcess(string name, Process process, ITestOutputHelper? log)
    {
        Name = name;
        _process = process;
        _log = log;
        _readers = Task.WhenAll(ReadAsync(process.StandardOutput, "out"), ReadAsync(process.StandardError, "err"));
    }

    /// <summary>A short name for messages (<c>redis</c>, <c>distributor-1</c>, ...).</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (after exit).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Every line printed so far.</summary>
    public IReadOnlyList<OutputLine> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Everything printed so far, one line each.</summary>
    public string Output => string.Join('\n', Lines.Select(l => l.Text));

    /// <summary>Starts <paramref name="program"/>; <paramref name="missingHint"/> says how to install it if it is not there.</summary>
    public static FaultProcess Start(
        string name,
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        ITestOutputHelper? log = null,
        string? missingHint = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start '{program}': {e.Message}. {missingHint}", e);
        }

        return new FaultProcess(name, process, log);
    }

    /// <summary>Writes a line to the process's standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>
    /// Waits for a line matching <paramref name="pattern"/> printed at or after <paramref name="since"/>
    /// (Stopwatch ticks; 0: any); fails with the output tail when the process exits first or the time is up.
    /// </summary>
    public async Task<OutputLine> WaitForLineAsync(Regex pattern, string what, TimeSpan? timeout = null, long since = 0)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? Eventually.DefaultTimeout).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (FindLine(pattern, since) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                await _readers.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
                return FindLine(pattern, since)
                    ?? throw new Xunit.Sdk.XunitException($"{Name} exited with code {_process.ExitCode} before {what}.{Tail()}");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what} from {Name}.{Tail()}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>The first line matching <paramref name="pattern"/> printed at or after <paramref name="since"/>, if any.</summary>
    public OutputLine? FindLine(Regex pattern, long since = 0)
    {
        lock (_lines)
        {
            return _lines.Find(l => l.At >= since && pattern.IsMatch(l.Text));
        }
    }

    /// <summary>kill -9 of the process tree (no shutdown code runs), then waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WithTimeout($"{Name} to exit after kill -9");
        _paused = false;
    }

    /// <summary>SIGSTOP: the process freezes as in a long GC or VM pause.</summary>
    public void Pause()
    {
        Signals.Send(Pid, Signals.Stop);
        _paused = true;
    }

    /// <summary>SIGCONT: the frozen process runs again.</summary>
    public void Resume()
    {
        Signals.Send(Pid, Signals.Continue);
        _paused = false;
    }

    /// <summary>SIGTERM, then waits for the process to exit by itself within <paramref name="timeout"/>.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Signals.Send(Pid, Signals.Terminate);
        }

        await _process.WaitForExitAsync().WithTimeout($"{Name} to exit after SIGTERM", timeout);
        await _readers.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
        return _process.ExitCode;
    }

    /// <summary>Waits until the process has exited and its output is read to the end.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WithTimeout($"{Name} to exit", timeout);
        await _readers.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
        return _process.ExitCode;
    }

    /// <summary>The last lines printed, for failure messages.</summary>
    public string Tail(int lines = 40)
    {
        var all = Lines;
        return all.Count == 0 ? $"\n({Name} printed nothing)" : $"\nLast output of {Name}:\n" + string.Join('\n', all.TakeLast(lines).Select(l => $"  [{l.Stream}] {l.Text}"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                if (_paused)
                {
                    Signals.Send(Pid, Signals.Continue);
                }

                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or Win32Exception)
        {
            // Already gone, or not reaped in time: nothing more to do.
        }

        _process.Dispose();
    }

    private async Task ReadAsync(StreamReader reader, string stream)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } text)
            {
                lock (_lines)
                {
                    _lines.Add(new OutputLine(Stopwatch.GetTimestamp(), stream, text));
                }

                try
                {
                    // Warnings, errors and anything that is not a log entry; the info lines stay in Lines.
                    if (!text.Contains(" info: ", StringComparison.Ordinal))
                    {
                        _log?.WriteLine($"[{Name} {stream}] {text}");
                    }
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
}
