using SocketIO.Distributor.EngineIO;

namespace SocketIO.Distributor.Tests.EngineIO;

/// <summary>Issue 13 (idle memory): every connection's handshake shares one lower-case string per header name.</summary>
public sealed class LowerCaseHeaderNamesTests
{
    [Fact]
    public void Connections_sending_the_same_header_share_one_lower_case_name()
    {
        // Two requests' header names are distinct string instances with the same text, as Kestrel gives unknown headers.
        var first = LowerCaseHeaderNames.Of(new string("X-Issue13-Tenant".AsSpan()));
        var second = LowerCaseHeaderNames.Of(new string("X-Issue13-Tenant".AsSpan()));

        Assert.Equal("x-issue13-tenant", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Made_up_header_names_do_not_grow_the_shared_names_past_their_bound()
    {
        for (var i = 0; i < LowerCaseHeaderNames.Capacity + 200; i++)
        {
            Assert.Equal($"x-made-up-{i}", LowerCaseHeaderNames.Of($"X-Made-Up-{i}"));
        }

        Assert.InRange(LowerCaseHeaderNames.Count, 1, LowerCaseHeaderNames.Capacity);
    }
}
