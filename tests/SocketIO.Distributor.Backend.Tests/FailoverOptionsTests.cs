namespace SocketIO.Distributor.Backend.Tests;

/// <summary>The backend's failover options (issue 9) fail at start-up with a message that says what to fix.</summary>
public sealed class FailoverOptionsTests
{
    [Fact]
    public void Failover_defaults_are_valid()
    {
        var options = new BackendOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromSeconds(5), options.DrainTimeout);
        Assert.Equal(100_000, options.InboxCapacity);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.ProgressInterval);
    }

    [Fact]
    public void Bad_failover_options_say_what_to_fix()
    {
        var options = new BackendOptions { DrainTimeout = TimeSpan.FromSeconds(-1), InboxCapacity = 0, ProgressInterval = TimeSpan.Zero };

        var problems = string.Join("\n", options.Validate());

        Assert.Contains("DrainTimeout must be between 0", problems, StringComparison.Ordinal);
        Assert.Contains("InboxCapacity must be at least 1", problems, StringComparison.Ordinal);
        Assert.Contains("ProgressInterval must be positive", problems, StringComparison.Ordinal);
    }
}
