namespace SocketIO.Distributor.Protocol.Bus;

/// <summary>
/// The relay channel of a distributor: <c>{prefix}:x:{distributorId}</c>, apart from its inbox so that
/// relayed polling requests, their answers and tunnelled WebSocket messages are delivered in their own
/// ordered queue, never behind (or ahead of) the inbox's emits and commands.
/// </summary>
public static class RelayChannels
{
    /// <summary>A distributor's relay channel: relayed requests for its sessions, answers to the requests it relayed, tunnel frames.</summary>
    /// <param name="channels">The deployment's channel names.</param>
    /// <param name="distributorId">The distributor.</param>
    /// <returns>The channel.</returns>
    public static string Relay(this BusChannels channels, string distributorId)
    {
        ArgumentNullException.ThrowIfNull(channels);
        return $"{channels.Prefix}:x:{distributorId}";
    }
}
