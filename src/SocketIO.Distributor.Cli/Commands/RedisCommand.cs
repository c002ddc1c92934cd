using System.CommandLine;
using System.Net;
using SocketIO.Distributor.Demo;

namespace SocketIO.Distributor.Cli.Commands;

/// <summary><c>siod redis</c>: the embedded RESP server alone.</summary>
internal static class RedisCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The port to listen on.", DefaultValueFactory = _ => 6379 };
        var bind = new Option<string>("--bind") { Description = "The address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("redis", "Run the embedded RESP server (Microsoft Garnet) so distributors and backends can run without installing Redis. For production, prefer a real Redis.")
        {
            port, bind,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parsed.GetValue(bind), out var address))
            {
                throw new CliFailure($"--bind must be an IP address such as 127.0.0.1 (got '{parsed.GetValue(bind)}').");
            }

            if (parsed.GetValue(port) is < 1 or > 65535)
            {
                throw new CliFailure($"--port must be 1-65535 (got {parsed.GetValue(port)}).");
            }

            using var signal = new ShutdownSignal();
            EmbeddedRedis server;
            try
            {
                server = new EmbeddedRedis(parsed.GetValue(port), address);
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                throw new CliFailure($"Cannot listen on {address}:{parsed.GetValue(port)}: {ex.Message}. Choose another --port.");
            }

            using (server)
            {
                parsed.InvocationConfiguration.Output.WriteLine($"RESP server listening on {address}:{server.Port}. Press Ctrl+C to stop.");
                await Task.WhenAny(signal.Stopping, Task.Delay(Timeout.Infinite, cancellationToken));
            }

            return 0;
        });
        return command;
    }
}
