namespace SocketIO.Distributor.Cli;

/// <summary>A failure the user can fix: printed as one line, exit code 2.</summary>
internal sealed class CliFailure(string message) : Exception(message)
{
    public const int ExitCode = 2;
}
