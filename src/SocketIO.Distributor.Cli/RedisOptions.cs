using System.CommandLine;

namespace SocketIO.Distributor.Cli;

/// <summary>The options every command that talks to Redis shares.</summary>
internal static class RedisOptions
{
    public static Option<string> Redis(string? defaultValue = "localhost:6379") => new("--redis")
    {
        Description = "The Redis connection string (StackExchange.Redis syntax), e.g. localhost:6379. Environment: SIOD_REDIS.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SIOD_REDIS") ?? defaultValue ?? string.Empty,
    };

    public static Option<string> Prefix() => new("--prefix")
    {
        Description = "The channel prefix shared by the deployment's distributors and backends.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SIOD_PREFIX") ?? "siod",
    };
}
