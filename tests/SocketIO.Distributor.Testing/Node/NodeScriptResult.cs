using System.Text;
using System.Text.Json;

namespace SocketIO.Distributor.Testing.Node;

/// <summary>What a Node script did: its exit code, output, and the JSON result line it printed last, if any.</summary>
public sealed class NodeScriptResult
{
    internal NodeScriptResult(string script, int? exitCode, bool timedOut, TimeSpan elapsed, string stdout, string stderr)
    {
        Script = script;
        ExitCode = exitCode;
        TimedOut = timedOut;
        Elapsed = elapsed;
        Stdout = stdout;
        Stderr = stderr;
        Json = ParseLastJsonLine(stdout);
    }

    /// <summary>The script and arguments that ran, for messages.</summary>
    public string Script { get; }

    /// <summary>The exit code, or null when the script was killed for running past its time limit.</summary>
    public int? ExitCode { get; }

    /// <summary>Whether the script ran past its time limit and was killed with its process tree.</summary>
    public bool TimedOut { get; }

    /// <summary>How long the script ran.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Everything the script wrote to standard output.</summary>
    public string Stdout { get; }

    /// <summary>Everything the script wrote to standard error.</summary>
    public string Stderr { get; }

    /// <summary>The last standard output line that parses as a JSON object, or null when there is none.</summary>
    public JsonElement? Json { get; }

    /// <summary>A summary for assertion messages: how it ended, and its output.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Script).Append(": ");
        text.Append(TimedOut ? "killed after its time limit" : $"exit code {ExitCode}");
        text.Append(" after ").Append(Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)).Append(" s");
        if (Json is null)
        {
            text.Append("; printed no JSON result line");
        }

        text.AppendLine().Append("stdout: ").AppendLine(Tail(Stdout));
        text.Append("stderr: ").Append(Tail(Stderr));
        return text.ToString();
    }

    private static string Tail(string text, int max = 4000) =>
        text.Length <= max ? text.TrimEnd() : "…" + text[^max..].TrimEnd();

    private static JsonElement? ParseLastJsonLine(string stdout)
    {
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Reverse())
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not the result line: keep looking further up.
            }
        }

        return null;
    }
}
