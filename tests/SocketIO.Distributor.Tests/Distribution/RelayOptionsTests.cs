using SocketIO.Distributor.Distribution;

namespace SocketIO.Distributor.Tests.Distribution;

/// <summary>The session relay's options (issue 10) fail at start-up with a message that says what to fix; sids name their distributor.</summary>
public sealed class RelayOptionsTests
{
    [Fact]
    public void Relay_defaults_are_valid_and_the_timeout_outlasts_a_long_poll()
    {
        var options = new DistributorOptions { Namespaces = ["/"] };

        Assert.Empty(options.Validate());
        Assert.Equal(10_000, options.MaxRelayedRequests);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.RelayProbeInterval);
        Assert.Null(options.RelayTimeout);
        Assert.Equal(TimeSpan.FromSeconds(25 + 20 + 5), options.EffectiveRelayTimeout);
    }

    [Fact]
    public void Bad_relay_options_say_what_to_fix()
    {
        var options = new DistributorOptions
        {
            Namespaces = ["/"],
            MaxRelayedRequests = 0,
            RelayTimeout = TimeSpan.FromSeconds(10),
            RelayProbeInterval = TimeSpan.Zero,
        };

        var problems = string.Join("\n", options.Validate());

        Assert.Contains("MaxRelayedRequests must be at least 1", problems, StringComparison.Ordinal);
        Assert.Contains("RelayTimeout (00:00:10) must be longer than the ping interval (00:00:25)", problems, StringComparison.Ordinal);
        Assert.Contains("RelayProbeInterval must be positive", problems, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("d1.AAAAAAAAAAAAAAAAAAAAAA", true, "d1")]
    [InlineData("my-dist_2.x", true, "my-dist_2")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA", false, "")]
    [InlineData(".abc", false, "")]
    [InlineData("d1.", false, "")]
    [InlineData("d 1.abc", false, "")]
    [InlineData("../x.abc", false, "")]
    [InlineData("012345678901234567890123456789012.abc", false, "")]
    public void A_sid_names_its_distributor_or_nothing(string sid, bool named, string owner)
    {
        Assert.Equal(named, SessionIds.TryGetOwner(sid, out var found));
        Assert.Equal(owner, found);
    }

    [Fact]
    public void A_new_sid_starts_with_its_distributor_and_stays_unguessable()
    {
        var sid = SessionIds.New("d1");

        Assert.True(SessionIds.TryGetOwner(sid, out var owner));
        Assert.Equal("d1", owner);
        Assert.Equal("d1.".Length + 22, sid.Length);
        Assert.NotEqual(sid, SessionIds.New("d1"));
    }
}
