using System.Net;
using System.Net.Sockets;
using SocketIO.Distributor.LoadGen;

// Usage:
//   LoadGen run <echo|fanout|connections|mixed|light|idle|recovery> [--run n] --target ours --urls http://127.0.0.1:1,http://127.0.0.1:2
//           --pids name=pid[@statsUrl],... --results results.jsonl [--clients N] [--duration s] ...
//   LoadGen freeport            prints a free loopback TCP port
//   LoadGen wait <url> [s] [prop] waits until the URL answers HTTP (any status); with prop, until its JSON answer has prop > 0
//   LoadGen canary --results canary.jsonl --target T --scenario S --generator G --run N   the host's speed until SIGTERM
//   LoadGen report --results results.jsonl --out RESULTS.md --command "..." [--profile file]
//   LoadGen run fault --fault <redis-restart|backend-kill|distributor-kill|backend-pause|distributor-pause>
//           --urls ... --procs redis=pid,backend1=pid,distributor1=pid --redis-port p --results faults.jsonl
//   LoadGen fault-report --results faults.jsonl --out RESULTS.md   rewrites only the fault section
//   LoadGen run polling-relay --urls holder,other   a relayed polling round trip against a local one
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: LoadGen run|freeport|wait|report ...");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
var positional = new List<string>();
for (var i = 1; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        options[args[i][2..]] = args[++i];
    }
    else
    {
        positional.Add(args[i]);
    }
}

switch (args[0])
{
    case "freeport":
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
        }

        return 0;

    case "wait":
        {
            // wait <url[,url...]> [seconds] [property]: every URL answers HTTP (any status); with a property,
            // until each one's JSON answer has that number property > 0 (e.g. "backends": a distributor sees a backend).
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(positional.Count > 1 ? double.Parse(positional[1], System.Globalization.CultureInfo.InvariantCulture) : 60);
            var property = positional.Count > 2 ? positional[2] : null;
            foreach (var url in positional[0].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!await WaitForAsync(http, new Uri(url), property, deadline))
                {
                    Console.Error.WriteLine($"timed out waiting for {url}{(property is null ? string.Empty : $" ({property} > 0)")}");
                    return 1;
                }
            }

            return 0;
        }

    case "canary":
        return await HostCanary.RunAsync(options);

    case "report":
        Report.Write(options);
        return 0;

    case "fault-report":
        FaultScenario.WriteReport(options);
        return 0;

    case "run":
        {
            var context = new ScenarioContext(options);
            ResultTags.Run = context.Int("run", 1);
            var scenario = positional.FirstOrDefault() ?? "echo";
            using var overall = new CancellationTokenSource(TimeSpan.FromSeconds(context.Double("timeout", 300)));
            var run = scenario switch
            {
                "echo" => EchoScenario.RunAsync(context),
                "fanout" => FanoutScenario.RunAsync(context),
                "connections" => ConnectionsScenario.RunAsync(context),
                "mixed" => MixedScenario.RunAsync(context),
                "fault" => FaultScenario.RunAsync(context),
                "light" => LightScenario.RunAsync(context),
                "idle" => IdleScenario.RunAsync(context),
                "polling-relay" => PollingRelayScenario.RunAsync(context),
                "recovery" => RecoveryScenario.RunAsync(context),
                _ => throw new ArgumentException("unknown scenario " + scenario),
            };
            var finished = await Task.WhenAny(run, Task.Delay(Timeout.Infinite, overall.Token).ContinueWith(_ => { }, TaskScheduler.Default));
            if (finished != run)
            {
                Console.Error.WriteLine($"{scenario} against {context.Target}: over the time limit, abandoned");
                new ResultRow { Target = context.Target, Scenario = scenario, Notes = { "timed out" } }.Append(context.ResultsPath);
                return 1;
            }

            await run;
            return 0;
        }

    default:
        Console.Error.WriteLine("unknown command " + args[0]);
        return 2;
}

static async Task<bool> WaitForAsync(HttpClient http, Uri url, string? property, DateTime deadline)
{
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            using var response = await http.GetAsync(url);
            if (property is null)
            {
                return true;
            }

            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (json.RootElement.TryGetProperty(property, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number && value.GetDouble() > 0)
            {
                return true;
            }

            await Task.Delay(100);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            await Task.Delay(200);
        }
    }

    return false;
}
