using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Backend;

/// <summary>Broadcasts that wait for every client's acknowledgement, and the <c>Timeout</c>, <c>Local</c> and <c>Compress</c> modifiers.</summary>
public sealed partial class BroadcastOperator
{
    /// <summary>The timeout of <see cref="EmitWithAckAsync"/>, or null for <see cref="BackendOptions.AckTimeout"/>.</summary>
    public TimeSpan? AckTimeout => _timeout;

    /// <summary>True if only the sockets this backend serves are targeted (see <see cref="Local"/>).</summary>
    public bool IsLocal => _local;

    /// <summary>
    /// The same broadcast, limited to the sockets this backend serves (socket.io's <c>local</c>). In
    /// socket.io "local" means "this server's sockets"; here a backend holds no connections, so it means
    /// the sockets of the namespace whose handlers run on this backend replica, filtered by the rooms this
    /// backend knows for them. Each gets its own message through its distributor (no room channel is used).
    /// </summary>
    public BroadcastOperator Local => new(_namespace, _rooms, _except, _flags, _timeout, local: true);

    /// <summary>The same broadcast, waiting at most <paramref name="timeout"/> for acknowledgements (socket.io's <c>timeout</c>).</summary>
    /// <param name="timeout">How long <see cref="EmitWithAckAsync"/> waits for the answers.</param>
    /// <returns>A new operator.</returns>
    public BroadcastOperator Timeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return new(_namespace, _rooms, _except, _flags, timeout, _local);
    }

    /// <summary>Same as <see cref="Timeout(TimeSpan)"/>, in milliseconds.</summary>
    /// <param name="milliseconds">How long to wait.</param>
    /// <returns>A new operator.</returns>
    public BroadcastOperator Timeout(int milliseconds) => Timeout(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>
    /// The same broadcast with socket.io's <c>compress</c> flag. The flag travels with the emit; the
    /// distributor's transports do not negotiate permessage-deflate today, so frames are sent as they are.
    /// </summary>
    /// <param name="compress">True to ask for compression.</param>
    /// <returns>A new operator.</returns>
    public BroadcastOperator Compress(bool compress) =>
        new(_namespace, _rooms, _except, compress ? _flags | EmitFlags.Compress : _flags & ~EmitFlags.Compress, _timeout, _local);

    /// <summary>
    /// Emits an event to every targeted socket on every distributor and waits for each client's
    /// acknowledgement (socket.io's <c>timeout(ms).emitWithAck</c>). The broadcast goes on the namespace
    /// channel (every distributor of the namespace answers how many sockets it wrote to, then relays each
    /// answer), so it costs one bus message plus one per distributor and one per answer.
    /// </summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>Every targeted client's answer, in arrival order.</returns>
    /// <exception cref="BroadcastAckTimeoutException">
    /// Not every answer came within <see cref="AckTimeout"/> (or <see cref="BackendOptions.AckTimeout"/>);
    /// the answers that came are in <see cref="BroadcastAckTimeoutException.Answers"/>.
    /// </exception>
    public async Task<IReadOnlyList<SocketArguments>> EmitWithAckAsync(string ev, params object?[] args)
    {
        var backend = _namespace.Backend;
        var timeout = _timeout ?? backend.Options.AckTimeout;
        if (_local)
        {
            return await EmitWithAckLocalAsync(ev, args, timeout).ConfigureAwait(false);
        }

        var payload = backend.Codec.EncodeEvent(ev, args);
        var expected = backend.Membership.DistributorsOf(_namespace.Name).Select(m => m.Id).ToList();
        return await backend.Router.BroadcastWithAckAsync(_namespace.Name, _rooms, _except, _flags, payload, expected, timeout).ConfigureAwait(false);
    }

    /// <summary>The targeted rooms that are socket ids, each with the distributor holding it; null when none.</summary>
    /// <summary>
    /// The targeted rooms that are socket ids, each with its distributor; and, in
    /// <paramref name="unconfirmed"/>, the rooms that may be socket ids of a distributor this backend has
    /// not seen yet (its members view lags a new distributor by up to a heartbeat): those go both to the
    /// room's channel and to that distributor's inbox, so the message is lost in neither case.
    /// </summary>
    private Dictionary<string, string>? SplitSocketIds(out Dictionary<string, string>? unconfirmed)
    {
        Dictionary<string, string>? ids = null;
        unconfirmed = null;
        foreach (var room in _rooms)
        {
            var distributorId = _namespace.Sockets.TryGetValue(room, out var socket) ? socket.DistributorId : DistributorOf(room);
            if (distributorId is not null)
            {
                (ids ??= new Dictionary<string, string>(StringComparer.Ordinal))[room] = distributorId;
            }
            else if (OwnerPrefix(room) is { } maybe)
            {
                (unconfirmed ??= new Dictionary<string, string>(StringComparer.Ordinal))[room] = maybe;
            }
        }

        return ids;
    }

    private bool MatchesLocally(BackendSocket socket) =>
        socket.Connected
        && (_rooms.Length == 0 || socket.IsInAnyRoom(_rooms))
        && (_except.Length == 0 || !socket.IsInAnyRoom(_except));

    private void EmitLocal(EngineFrame[] frames)
    {
        var router = _namespace.Backend.Router;
        foreach (var socket in _namespace.Sockets.Values)
        {
            if (MatchesLocally(socket))
            {
                router.SendToSocket(socket.DistributorId, socket.Id, _flags, frames);
            }
        }
    }

    private async Task<IReadOnlyList<SocketArguments>> EmitWithAckLocalAsync(string ev, object?[] args, TimeSpan timeout)
    {
        var waits = new List<Task<SocketArguments>>();
        foreach (var socket in _namespace.Sockets.Values)
        {
            if (MatchesLocally(socket))
            {
                waits.Add(socket.EmitWithAckAsync(ev, args, timeout));
            }
        }

        try
        {
            return await Task.WhenAll(waits).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            var answers = waits.Where(w => w.IsCompletedSuccessfully).Select(w => w.Result).ToList();
            throw new BroadcastAckTimeoutException(answers, waits.Count, timeout);
        }
    }
}
