using System.Globalization;
using System.Text;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// How much of each target scenario's server CPU is the kernel's (stime beside utime + stime of every
/// server process and redis-server): one table for all setups and generators, and ours by process.
/// Both generators report the kernel's share; a run without it (older raw rows) shows "–".
/// </summary>
internal static class KernelShareTable
{
    private static readonly string[] Setups = ["ours", "socketio", "signalr", "floor"];

    /// <summary>One row: its label, where its figures come from, and the keys of the total and of the kernel's part.</summary>
    private sealed record Line(string Label, string Scenario, string Variant, string TotalKey, string KernelKey);

    private static readonly Line[] Lines =
    [
        new("echo 200 × 4, per request", "echo", string.Empty, "server_cpu_us_per_req", "server_kernel_us_per_req"),
        new("… of which redis-server", "echo", string.Empty, "cpu_us_per_req.redis", "kernel_us_per_req.redis"),
        new("fan-out 1,000 clients at 20/s, per delivery", "fanout", "many-all", "first_server_cpu_us_per_delivery", "first_server_kernel_us_per_delivery"),
        new("light 1 × 1, per request", "light", "1x1", "server_cpu_us_per_req", "server_kernel_us_per_req"),
        new("… of which redis-server", "light", "1x1", "cpu_us_per_req.redis", "kernel_us_per_req.redis"),
    ];

    public static void Write(StringBuilder md, ResultSet set)
    {
        var columns = Setups.SelectMany(setup => set.Generators.Select(generator => (Setup: setup, Generator: generator)))
            .Where(c => set.Find(c.Generator, c.Setup, "echo") is not null || set.Find(c.Generator, c.Setup, "light", "1x1") is not null)
            .ToList();
        if (columns.Count == 0 || !set.Rows.Any(r => r.Values.ContainsKey("server_kernel_us_per_req")))
        {
            return;
        }

        md.AppendLine("## The kernel's share of the server CPU");
        md.AppendLine();
        md.AppendLine("µs of server CPU (utime + stime, all server processes and redis-server) and, after the comma, the kernel's part of it (stime), each a median (min–max) of the runs; same runs as the tables above.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| | {string.Join(" | ", columns.Select(c => $"{SetupName(c.Setup)}, {ShortGeneratorName(c.Generator)} gen."))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| --- |{string.Concat(columns.Select(_ => " --- |"))}");
        foreach (var line in Lines)
        {
            var cells = columns.Select(c => set.Find(c.Generator, c.Setup, line.Scenario, line.Variant) is { } found && found[line.TotalKey].Exists
                ? $"{found[line.TotalKey]}, {found[line.KernelKey]}"
                : "–");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {line.Label} | {string.Join(" | ", cells)} |");
        }

        md.AppendLine();
        foreach (var generator in set.Generators)
        {
            if (set.Find(generator, "ours", "echo") is not { } echo)
            {
                continue;
            }

            var parts = echo.Keys.Where(k => k.StartsWith("cpu_us_per_req.", StringComparison.Ordinal))
                .Select(k => k["cpu_us_per_req.".Length..])
                .Select(process => $"{process} {echo[$"cpu_us_per_req.{process}"]}, {echo[$"kernel_us_per_req.{process}"]}");
            md.AppendLine(CultureInfo.InvariantCulture, $"Ours, echo by process ({Report.GeneratorName(generator)} generator; total, kernel): {string.Join("; ", parts)}.");
            md.AppendLine();
        }
    }

    private static string ShortGeneratorName(string generator) => generator == "node" ? "Node" : "C#";

    private static string SetupName(string setup) => setup switch
    {
        "socketio" => "socket.io",
        "signalr" => "SignalR",
        _ => setup,
    };
}
