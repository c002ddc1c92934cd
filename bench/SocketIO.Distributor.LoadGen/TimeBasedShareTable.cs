using System.Globalization;
using System.Text;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// Fan-out's first step (1,000 clients at 20 broadcasts/s) divides the step's server CPU by its deliveries, so
/// whatever the processes spend by the second (timers, heartbeats, the JIT compiling in the background) counts
/// as a cost per delivery. Right before that step the C# generator holds every client connected with nothing
/// sent for one step's length; this table sets what the processes spent then beside the step's figure.
/// </summary>
internal static class TimeBasedShareTable
{
    private static readonly string[] Setups = ["ours", "socketio", "signalr", "floor"];

    public static void Write(StringBuilder md, ResultSet set)
    {
        var rows = set.Generators
            .SelectMany(generator => Setups.Select(setup => (Generator: generator, Setup: setup, Found: set.Find(generator, setup, "fanout", "many-all"))))
            .Where(r => r.Found is not null && r.Found["first_quiet_us_per_delivery"].Exists)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine("## Fan-out at 20/s: what is per delivery, and what is time-based");
        md.AppendLine();
        md.AppendLine("Fan-out's first step (1,000 clients, 20 broadcasts/s) divides the step's server CPU by its deliveries. Right before it, the generator keeps every client connected and sends nothing for one step's length (\"quiet\"): what the server processes spend then is time-based (timers, heartbeats, the runtime compiling code in the background), not per delivery. Its share of the step is the quiet cores × the step's seconds ÷ its deliveries. Medians (min–max) of the runs; same runs as the tables above.");
        md.AppendLine();
        md.AppendLine("| setup | generator | µs per delivery at 20/s | … time-based (quiet) | … the rest | quiet: cores, all server processes |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (generator, setup, found) in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {Name(setup)} | {Report.GeneratorName(generator)} | {found!["first_server_cpu_us_per_delivery"]} | {found["first_quiet_us_per_delivery"]} | {found["first_rest_us_per_delivery"]} | {found["quiet_server_cores"]} |");
        }

        md.AppendLine();
        foreach (var generator in set.Generators)
        {
            if (set.Find(generator, "ours", "fanout", "many-all") is not { } ours || set.Find(generator, "socketio", "fanout", "many-all") is not { } peer
                || !ours["first_rest_us_per_delivery"].Exists || !peer["first_rest_us_per_delivery"].Exists)
            {
                continue;
            }

            var byProcess = ours.Keys.Where(k => k.StartsWith("quiet_cores.", StringComparison.Ordinal))
                .Select(k => $"{k["quiet_cores.".Length..]} {ours[k]}");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"- {Report.GeneratorName(generator)} generator: ours ÷ socket.io (medians) {Ratio(ours["first_server_cpu_us_per_delivery"], peer["first_server_cpu_us_per_delivery"])} per delivery at 20/s, {Ratio(ours["first_rest_us_per_delivery"], peer["first_rest_us_per_delivery"])} without the time-based part. Ours, quiet cores by process: {string.Join("; ", byProcess)}.");
        }

        md.AppendLine();
    }

    private static string Ratio(ResultSet.Figure a, ResultSet.Figure b) =>
        (a.Median / b.Median).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string Name(string setup) => setup switch
    {
        "ours" => "SocketIO.Distributor",
        "socketio" => "socket.io 4 + redis-adapter",
        "signalr" => "SignalR + Redis",
        "floor" => "floor (one .NET process, raw sockets, no Redis)",
        _ => setup,
    };
}
