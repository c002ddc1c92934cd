using System.Text;
using System.Text.Json;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.EndToEnd.Tests.Node;

/// <summary>One named check from <c>tests/clients/scenario.mjs</c>, with what it saw.</summary>
internal sealed record ScenarioCheck(string Name, bool Ok, string? Detail);

/// <summary>The result line of <c>tests/clients/scenario.mjs</c>: <c>{ ok, checks: [{ name, ok, detail }], error }</c>.</summary>
internal sealed class ScenarioReport
{
    private ScenarioReport(NodeScriptResult run, bool ok, IReadOnlyList<ScenarioCheck> checks, string? error)
    {
        Run = run;
        Ok = ok;
        Checks = checks;
        Error = error;
    }

    public NodeScriptResult Run { get; }

    public bool Ok { get; }

    public IReadOnlyList<ScenarioCheck> Checks { get; }

    public string? Error { get; }

    /// <summary>Reads the scenario's JSON line; fails the test with the script's output when there is none.</summary>
    public static ScenarioReport Parse(NodeScriptResult run)
    {
        if (run.Json is not { ValueKind: JsonValueKind.Object } json)
        {
            throw new Xunit.Sdk.XunitException($"The scenario printed no result.\n{run}");
        }

        var checks = new List<ScenarioCheck>();
        if (json.TryGetProperty("checks", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var check in list.EnumerateArray())
            {
                checks.Add(new ScenarioCheck(
                    check.GetProperty("name").GetString() ?? "",
                    check.GetProperty("ok").GetBoolean(),
                    check.TryGetProperty("detail", out var detail) ? detail.ToString() : null));
            }
        }

        var error = json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var ok = json.TryGetProperty("ok", out var o) && o.ValueKind == JsonValueKind.True;
        return new ScenarioReport(run, ok, checks, error);
    }

    /// <summary>
    /// Fails unless the scenario passed, exited 0, and ran every one of <paramref name="expectedChecks"/>;
    /// the message lists each failed or missing check with what the client saw.
    /// </summary>
    public void AssertPassed(IEnumerable<string> expectedChecks)
    {
        var problems = new List<string>();
        foreach (var check in Checks.Where(c => !c.Ok))
        {
            problems.Add($"FAILED {check.Name}: {check.Detail}");
        }

        var ran = Checks.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in expectedChecks.Where(n => !ran.Contains(n)))
        {
            problems.Add($"NOT RUN {name}");
        }

        if (Error is not null)
        {
            problems.Add($"ERROR {Error}");
        }

        if (problems.Count == 0 && Ok && Run.ExitCode == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.AppendLine($"{problems.Count} problem(s) in {Run.Script}:");
        foreach (var problem in problems)
        {
            message.Append("  ").AppendLine(problem);
        }

        message.AppendLine($"passed: {string.Join(", ", Checks.Where(c => c.Ok).Select(c => c.Name))}");
        message.Append(Run);
        throw new Xunit.Sdk.XunitException(message.ToString());
    }
}
