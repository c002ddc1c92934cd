using System.Text;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>Splitting an EVENT array into its name and arguments, and building one back.</summary>
public sealed class EventPayloadTests
{
    [Theory]
    [InlineData("[\"hello\",1]", "hello", "[1]")]
    [InlineData("[\"project:delete\",123]", "project:delete", "[123]")]
    [InlineData("[\"hello\",{\"_placeholder\":true,\"num\":0}]", "hello", "[{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("[1,\"a\",{}]", "1", "[\"a\",{}]")]
    [InlineData("[\"a\"]", "a", "[]")]
    [InlineData("[ \"a\" ]", "a", "[]")]
    [InlineData("[ \"a\" , 1 , 2 ]", "a", "[ 1 , 2 ]")]
    [InlineData("[\"a \\\"quoted\\\" caf\\u00e9\",null]", "a \"quoted\" café", "[null]")]
    [InlineData("[\"😀\",\"€\"]", "😀", "[\"€\"]")]
    [InlineData("[-1.5e3,true]", "-1.5e3", "[true]")]
    public void TrySplit_returns_the_name_and_the_arguments_array(string data, string name, string arguments)
    {
        Assert.True(EventPayload.TrySplit(Encoding.UTF8.GetBytes(data), out var actualName, out var actualArguments));

        Assert.Equal(name, actualName);
        Assert.Equal(arguments, Encoding.UTF8.GetString(actualArguments.Span));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("\"hello\"")]
    [InlineData("[]")]
    [InlineData("[null,1]")]
    [InlineData("[[\"a\"]]")]
    [InlineData("[\"a\"")]
    [InlineData("[\"a")]
    [InlineData("[\"a\" x]")]
    [InlineData("[\"a\"}")]
    public void TrySplit_rejects_what_is_not_an_array_starting_with_a_name(string data)
    {
        Assert.False(EventPayload.TrySplit(Encoding.UTF8.GetBytes(data), out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'[', (byte)'"', 0xff, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'[', (byte)'"', 0xed, 0xa0, 0x80, (byte)'"', (byte)']' })]
    public void TrySplit_returns_false_instead_of_throwing_on_a_name_of_invalid_utf8(byte[] data)
    {
        Assert.False(EventPayload.TrySplit(data, out _, out _));
    }

    [Theory]
    [InlineData("[\"\\ud800\",1]")]
    [InlineData("[\"a\\udc00\"]")]
    public void TrySplit_returns_false_instead_of_throwing_on_an_unpaired_surrogate_escape(string data)
    {
        Assert.False(EventPayload.TrySplit(Encoding.UTF8.GetBytes(data), out _, out _));
    }

    [Theory]
    [InlineData("hello", "[1,\"a\"]", "[\"hello\",1,\"a\"]")]
    [InlineData("hello", "[]", "[\"hello\"]")]
    [InlineData("hello", "", "[\"hello\"]")]
    [InlineData("hello", "[ 1 ]", "[\"hello\",1]")]
    [InlineData("say \"hi\"", "[1]", "[\"say \\u0022hi\\u0022\",1]")]
    public void Build_writes_the_name_then_the_arguments(string name, string arguments, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(EventPayload.Build(name, Encoding.UTF8.GetBytes(arguments))));
    }

    [Theory]
    [InlineData("[\"a\",1] ", "[\"a\",1]")]
    [InlineData("[\"a\" , 1 ]\r\n", "[\"a\",1]")]
    [InlineData("[\"a\"] ", "[\"a\"]")]
    public void Build_of_split_arguments_with_trailing_whitespace_stays_valid_json(string data, string expected)
    {
        Assert.True(EventPayload.TrySplit(Encoding.UTF8.GetBytes(data), out var name, out var arguments));

        Assert.Equal(expected, Encoding.UTF8.GetString(EventPayload.Build(name, arguments.Span)));
    }

    [Theory]
    [InlineData(" [1] ", "[\"a\",1]")]
    [InlineData("\n[ ]\t", "[\"a\"]")]
    public void Build_of_arguments_surrounded_by_whitespace_stays_valid_json(string arguments, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(EventPayload.Build("a", Encoding.UTF8.GetBytes(arguments))));
    }

    [Theory]
    [InlineData("hello", "[1,{\"a\":[2]},\"x\"]")]
    [InlineData("café 😀 <tag>", "[]")]
    [InlineData("project:delete", "[123]")]
    public void Build_then_TrySplit_returns_the_name_and_arguments(string name, string arguments)
    {
        var payload = EventPayload.Build(name, Encoding.UTF8.GetBytes(arguments));

        Assert.True(EventPayload.TrySplit(payload, out var actualName, out var actualArguments));

        Assert.Equal(name, actualName);
        Assert.Equal(arguments, Encoding.UTF8.GetString(actualArguments.Span));
    }
}
