using SocketIO.Distributor.Distribution;

namespace SocketIO.Distributor.Tests.Distribution;

/// <summary>The failover options (issue 9) fail at start-up with a message that says what to fix.</summary>
public sealed class FailoverOptionsTests
{
    [Fact]
    public void Failover_defaults_are_valid_and_documented_values()
    {
        var options = new DistributorOptions { Namespaces = ["/"] };

        Assert.Empty(options.Validate());
        Assert.True(options.Bus.TrustPublishReceiverCounts);
        Assert.Equal(1024, options.MaxPendingAcks);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.BackendProbeInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.BackendDrainGrace);
    }

    [Fact]
    public void Bad_failover_options_say_what_to_fix()
    {
        var options = new DistributorOptions
        {
            Namespaces = ["/"],
            MaxPendingAcks = 0,
            BackendProbeInterval = TimeSpan.Zero,
            BackendDrainGrace = TimeSpan.Zero,
        };

        var problems = string.Join("\n", options.Validate());

        Assert.Contains("MaxPendingAcks must be at least 1", problems, StringComparison.Ordinal);
        Assert.Contains("BackendProbeInterval must be positive", problems, StringComparison.Ordinal);
        Assert.Contains("BackendDrainGrace must be positive", problems, StringComparison.Ordinal);
    }
}
