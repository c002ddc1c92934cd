using System.CommandLine;
using Microsoft.AspNetCore.Connections;
using SocketIO.Distributor.Cli.Commands;

namespace SocketIO.Distributor.Cli;

/// <summary>The root of the <c>siod</c> command line: parsing, and turning failures into one clear line and exit code 2.</summary>
internal static class SiodCommand
{
    public static RootCommand Create() => new("SocketIO.Distributor: transparent load leveling and multiplexing for Socket.IO.")
    {
        DemoCommand.Create(),
        DistributorCommand.Create(),
        RedisCommand.Create(),
        StatusCommand.Create(),
        EmitCommand.Create(),
    };

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parsed = Create().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            var command = parsed.CommandResult.Command;
            var help = command is RootCommand ? "siod --help" : $"siod {command.Name} --help";
            error.WriteLine($"siod: {parsed.Errors[0].Message} (see '{help}')");
            return CliFailure.ExitCode;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (ex is CliFailure or ArgumentException or InvalidOperationException)
        {
            error.WriteLine($"siod: {ex.Message}");
            return CliFailure.ExitCode;
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            error.WriteLine($"siod: {ex.Message} Choose another port.");
            return CliFailure.ExitCode;
        }
    }
}
