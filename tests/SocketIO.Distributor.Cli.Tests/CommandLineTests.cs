using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>The command line itself: help, and every mistake a user can make answered with one line and exit code 2.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Help_lists_every_command()
    {
        var run = await Siod.RunAsync("--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var command in new[] { "demo", "distributor", "redis", "status", "emit" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s", run.Stdout);
        }
    }

    [Theory]
    [InlineData("unknown option", new[] { "status", "--bogus" })]
    [InlineData("unknown command", new[] { "frobnicate" })]
    [InlineData("ports that are not numbers", new[] { "demo", "--ports", "abc" })]
    [InlineData("a port out of range", new[] { "demo", "--ports", "8001,70000" })]
    [InlineData("a bind address that is not an IP", new[] { "demo", "--redis", "127.0.0.1:1", "--bind", "example.org", "--ports", "0" })]
    [InlineData("emit arguments that are a JSON object", new[] { "emit", "news", "{\"a\":1}" })]
    [InlineData("emit arguments that are not JSON", new[] { "emit", "news", "hello" })]
    [InlineData("a namespace without '/'", new[] { "emit", "news", "-n", "chat" })]
    [InlineData("a socket id of another product", new[] { "emit", "news", "-s", "abc" })]
    public async Task A_bad_option_gives_one_line_on_stderr_and_exit_code_2(string mistake, string[] args)
    {
        // emit checks a socket id once connected: give it a Redis that is there.
        var run = await Siod.RunAsync(args[0] == "emit" ? [.. args, "--redis", TestRedis.ConnectionString, "--prefix", TestRedis.NewPrefix("cli")] : args);

        AssertOneLineFailure(run, mistake);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("emit")]
    [InlineData("demo")]
    public async Task An_unreachable_redis_gives_one_line_on_stderr_and_exit_code_2(string command)
    {
        var nothingListening = $"127.0.0.1:{TestRedis.FreePort()}";
        string[] args = command switch
        {
            "emit" => ["emit", "news", "[1]", "--redis", nothingListening],
            "demo" => ["demo", "--redis", nothingListening, "--ports", "0"],
            _ => [command, "--redis", nothingListening],
        };

        var run = await Siod.RunAsync(args);

        AssertOneLineFailure(run, $"{command} with nothing listening at {nothingListening}");
        Assert.Contains(nothingListening, run.Stderr, StringComparison.Ordinal);
    }

    private static void AssertOneLineFailure(SiodRun run, string mistake)
    {
        Assert.True(run.ExitCode == 2, $"{mistake}: {run}");
        Assert.True(run.StderrLines.Length == 1, $"{mistake}: expected one line on stderr; {run}");
        Assert.StartsWith("siod: ", run.StderrLines[0], StringComparison.Ordinal);
        Assert.True(run.Stdout.Length == 0, $"{mistake}: expected nothing on stdout; {run}");
    }
}
