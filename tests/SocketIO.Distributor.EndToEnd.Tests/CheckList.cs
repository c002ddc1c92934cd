using System.Text;

namespace SocketIO.Distributor.EndToEnd.Tests;

/// <summary>
/// Named checks that keep going after a failure and report all of them at the end, so one run says
/// exactly which parts of the contract broke (the .NET counterpart of the Node scenario's report).
/// </summary>
internal sealed class CheckList
{
    private readonly List<(string Name, bool Ok, string Detail)> _checks = [];

    /// <summary>Records whether <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    public void Equal(string name, string expected, string actual) =>
        Record(name, expected == actual, expected == actual ? actual : $"expected {expected} but got {actual}");

    public void Record(string name, bool ok, string detail) => _checks.Add((name, ok, detail));

    /// <summary>Runs <paramref name="body"/>; an exception (a timeout, say) is recorded as the failure of <paramref name="name"/>.</summary>
    public async Task StepAsync(string name, Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            await body();
        }
#pragma warning disable CA1031 // Not swallowed: the failure is recorded and fails the test in AssertAllPassed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Record(name, false, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Fails the test listing every failed check, and every expected check that did not run.</summary>
    public void AssertAllPassed(IEnumerable<string> expected, string context)
    {
        var ran = _checks.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var problems = _checks.Where(c => !c.Ok).Select(c => $"FAILED {c.Name}: {c.Detail}")
            .Concat(expected.Where(name => !ran.Contains(name)).Select(name => $"NOT RUN {name}"))
            .ToList();
        if (problems.Count == 0)
        {
            return;
        }

        var message = new StringBuilder().AppendLine($"{problems.Count} problem(s) with {context}:");
        foreach (var problem in problems)
        {
            message.Append("  ").AppendLine(problem);
        }

        message.Append("passed: ").AppendJoin(", ", _checks.Where(c => c.Ok).Select(c => c.Name));
        throw new Xunit.Sdk.XunitException(message.ToString());
    }
}
