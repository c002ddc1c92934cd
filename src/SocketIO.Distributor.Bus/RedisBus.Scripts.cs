using SocketIO.Distributor.Protocol.Bus;
using StackExchange.Redis;

namespace SocketIO.Distributor.Bus;

/// <summary>Publishing from a Lua script: what the script must call, the channel's name on the server, and the key kept in its slot.</summary>
public sealed partial class RedisBus
{
    /// <summary>The command a script publishes with in the mode in use: <c>PUBLISH</c>, or <c>SPUBLISH</c> for sharded pub/sub.</summary>
    public string PublishCommand => Mode == PubSubMode.Sharded ? "SPUBLISH" : "PUBLISH";

    /// <summary>
    /// The name Redis knows a bus channel by: the connection string's <c>channelPrefix</c>, which the
    /// library adds to what it publishes and subscribes, is added here too (a script sees no prefix).
    /// </summary>
    /// <param name="channel">The bus channel.</param>
    /// <returns>The channel name on the server.</returns>
    public string ServerChannel(string channel)
    {
        var prefix = ConfigurationOptions.Parse(_connection.Configuration).ChannelPrefix;
        return prefix.IsNullOrEmpty ? channel : prefix.ToString() + channel;
    }

    /// <summary>
    /// The replay log of a namespace (connection state recovery), in the hash slot of the namespace
    /// channel as the server knows it (<see cref="RecoveryKeys.ReplayLog"/>): the key backends write and
    /// distributors read.
    /// </summary>
    /// <param name="nsp">The namespace.</param>
    /// <returns>The key.</returns>
    public string ReplayLogKey(string nsp) => RecoveryKeys.ReplayLog(Channels.Prefix, ServerChannel(Channels.Namespace(nsp)));
}
