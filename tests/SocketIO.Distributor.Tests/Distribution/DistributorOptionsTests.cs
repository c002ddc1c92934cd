using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Distribution;
using SocketIO.Distributor.SocketIO;

namespace SocketIO.Distributor.Tests.Distribution;

public sealed class DistributorOptionsTests
{
    [Fact]
    public void Options_bind_from_configuration_as_in_any_dotnet_app()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SocketIO:Distributor:Bus:Redis"] = "redis.internal:6380",
            ["SocketIO:Distributor:Bus:ChannelPrefix"] = "prod",
            ["SocketIO:Distributor:Namespaces:0"] = "/chat",
            ["SocketIO:Distributor:Namespaces:1"] = "/gameA",
            ["SocketIO:Distributor:Server:Engine:PingInterval"] = "00:00:10",
            ["SocketIO:Distributor:Server:Engine:MaxPayload"] = "2000000",
            ["SocketIO:Distributor:Server:ConnectTimeout"] = "00:00:05",
            ["SocketIO:Distributor:BackendConnectTimeout"] = "00:00:03",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSocketIODistributor(configuration.GetSection("SocketIO:Distributor"), o => o.DistributorId = "d1");

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<DistributorOptions>();

        Assert.Equal("redis.internal:6380", options.Bus.Redis);
        Assert.Equal("prod", options.Bus.ChannelPrefix);
        Assert.Equal(["/chat", "/gameA"], options.Namespaces);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Server.Engine.PingInterval);
        Assert.Equal(2_000_000, options.Server.Engine.MaxPayload);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Server.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.BackendConnectTimeout);
        Assert.Equal("d1", options.DistributorId);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Bad_options_fail_at_start_up_with_messages_that_say_what_to_fix()
    {
        var options = new DistributorOptions { DistributorId = "no spaces please", BackendConnectTimeout = TimeSpan.Zero };
        options.Bus.Redis = " ";
        options.Server.Engine.PingInterval = TimeSpan.Zero;
        options.Server.Engine.AllowPolling = false;
        options.Server.Engine.AllowWebSocket = false;

        var error = Assert.Throws<ArgumentException>(() =>
            new SocketIODistributor(options, new SocketIOServer(new SocketIOOptions(), TimeProvider.System, NullLoggerFactory.Instance), TimeProvider.System, NullLoggerFactory.Instance));

        Assert.Contains("Namespaces is empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("Redis must be a connection string", error.Message, StringComparison.Ordinal);
        Assert.Contains("PingInterval must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("At least one transport must be allowed", error.Message, StringComparison.Ordinal);
        Assert.Contains("DistributorId 'no spaces please'", error.Message, StringComparison.Ordinal);
        Assert.Contains("BackendConnectTimeout must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_namespace_must_start_with_a_slash()
    {
        var options = new DistributorOptions { Namespaces = ["chat", "/ok", "/a,b"] };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.Contains("'chat' must start with '/'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'/a,b'", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("'/ok'", StringComparison.Ordinal));
    }
}
