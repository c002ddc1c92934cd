using System.ComponentModel;
using System.Diagnostics;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>The outcome of a child process: exit code (null if it was killed on timeout) and its output.</summary>
public sealed record ChildProcessResult(int? ExitCode, bool TimedOut, string Stdout, string Stderr);

/// <summary>Runs a program to completion with a time limit, killing its whole process tree when the limit passes.</summary>
public static class ChildProcess
{
    /// <summary>How long to wait for output pipes to drain once the process tree is gone.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <exception cref="InvalidOperationException">The program is not installed (not found on PATH).</exception>
    public static async Task<ChildProcessResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        string missingProgramHint,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["npm_config_update_notifier"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start '{program}': {e.Message}. {missingProgramHint}", e);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(DrainTimeout);
            }
        }

        var output = await ReadOrEmptyAsync(stdout);
        var errors = await ReadOrEmptyAsync(stderr);
        return new ChildProcessResult(timedOut ? null : process.ExitCode, timedOut, output, errors);
    }

    private static async Task<string> ReadOrEmptyAsync(Task<string> read)
    {
        try
        {
            return await read.WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            return "(output not drained: a grandchild process may still hold the pipe)";
        }
    }
}
