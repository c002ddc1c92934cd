using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Backend.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var options = new BackendOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromSeconds(10), options.AckTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RemoteQueryTimeout);
        Assert.Null(options.BackendId);
    }

    [Fact]
    public void Each_problem_says_what_to_fix()
    {
        var options = new BackendOptions
        {
            Bus = new BusOptions { Redis = "", MemberTimeout = TimeSpan.FromSeconds(1) },
            BackendId = "has space",
            AckTimeout = TimeSpan.Zero,
            CommandTimeout = TimeSpan.FromSeconds(-1),
            RemoteQueryTimeout = TimeSpan.FromDays(2),
            Json = null!,
        };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("Bus.Redis must be a connection string", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Bus.MemberTimeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("BackendId must be 1 to 64 characters without spaces", StringComparison.Ordinal) && p.Contains("'has space'", StringComparison.Ordinal));
        Assert.Contains("AckTimeout must be positive and at most a day (got 00:00:00).", problems);
        Assert.Contains(problems, p => p.StartsWith("CommandTimeout must be positive", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("RemoteQueryTimeout must be positive", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Json must be set", StringComparison.Ordinal));
        Assert.Equal(7, problems.Count);
    }

    [Fact]
    public async Task Invalid_options_throw_at_start_with_the_problems()
    {
        await using var backend = new SocketIOBackend(new BackendOptions { AckTimeout = TimeSpan.Zero });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => backend.StartAsync());

        Assert.Contains("AckTimeout must be positive", error.Message, StringComparison.Ordinal);
        Assert.False(backend.IsRunning);
    }

    [Fact]
    public void A_random_id_is_eight_base64url_characters_and_an_explicit_one_is_kept()
    {
        var random = new SocketIOBackend(new BackendOptions()).Id;

        Assert.Matches("^[A-Za-z0-9_-]{8}$", random);
        Assert.NotEqual(random, new SocketIOBackend(new BackendOptions()).Id);
        Assert.Equal("mine", new SocketIOBackend(new BackendOptions { BackendId = "mine" }).Id);
    }

    [Fact]
    public void Using_the_backend_before_start_says_so()
    {
        var backend = new SocketIOBackend(new BackendOptions());

        var error = Assert.Throws<InvalidOperationException>(() => backend.Of("/").Emit("x"));

        Assert.Contains("StartAsync", error.Message, StringComparison.Ordinal);
        Assert.Equal("/chat", backend.Of("chat").Name);
        Assert.Same(backend.Of("/chat"), backend.Of("chat"));
    }
}
