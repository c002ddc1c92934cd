using System.CommandLine;

namespace SocketIO.Distributor.Cli.Commands;

/// <summary><c>siod demo</c>: the whole product in one process.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var redis = new Option<string?>("--redis") { Description = "Use this Redis instead of the embedded RESP server (e.g. localhost:6379)." };
        var ports = new Option<string>("--ports") { Description = "The distributors' ports, comma-separated.", DefaultValueFactory = _ => "8001,8002" };
        var bind = new Option<string>("--bind") { Description = "The address the distributors listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var prefix = new Option<string>("--prefix") { Description = "The channel prefix.", DefaultValueFactory = _ => "siod-demo" };
        var command = new Command("demo", "Run the demo: an embedded RESP server (unless --redis), two distributors, a chat backend and two game backends, and the demo page served by both distributors. Ctrl+C stops it.")
        {
            redis, ports, bind, prefix,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var portList = ParsePorts(parsed.GetValue(ports)!);
            using var signal = new ShutdownSignal();
            await using var demo = await DemoDeployment.StartAsync(new DemoSettings(parsed.GetValue(redis), portList, parsed.GetValue(bind)!, parsed.GetValue(prefix)!));
            var output = parsed.InvocationConfiguration.Output;
            output.WriteLine($"RESP server: {demo.Redis}{(demo.IsRedisEmbedded ? " (embedded Garnet)" : string.Empty)}");
            output.WriteLine("Backends: /chat, /gameA, /gameB");
            foreach (var url in demo.Urls)
            {
                output.WriteLine($"Distributor: {url}  <- open this in a browser");
            }

            output.WriteLine($"Inspect it: siod status --redis {demo.Redis} --prefix {parsed.GetValue(prefix)}");
            output.WriteLine("Press Ctrl+C to stop.");
            await Task.WhenAny(signal.Stopping, Task.Delay(Timeout.Infinite, cancellationToken));
            output.WriteLine("Stopping...");
            return 0;
        });
        return command;
    }

    private static int[] ParsePorts(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.CultureInfo.InvariantCulture, out result[i]) || result[i] is < 0 or > 65535)
            {
                throw new CliFailure($"--ports must be comma-separated port numbers (got '{text}').");
            }
        }

        return result.Length > 0 ? result : throw new CliFailure("--ports needs at least one port.");
    }
}
