using System.Text.Json;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>Connection state recovery: a CONNECT that names a session this backend holds.</summary>
public sealed partial class SocketIOBackend
{
    internal RedisBus Bus => _bus ?? throw NotRunning();

    /// <summary>True if the namespace's recovery offsets are given by Redis (see <see cref="ConnectionStateRecovery.OffsetsFromRedis"/>); false when this backend's clock gives them.</summary>
    /// <param name="nsp">The namespace.</param>
    /// <returns>True if Redis gives them.</returns>
    public bool RecoveryOffsetsFromRedis(string nsp) => _namespaces.TryGetValue(nsp, out var n) && n.ReplayLog?.Order is not null;

    /// <summary>A recovered socket is held again.</summary>
    internal void AdoptSocket(BackendSocket socket) => _sockets[socket.Id] = socket;

    /// <summary>
    /// True when the request is a recovery of a session held here (its auth carries the session's pid,
    /// and the distributor gave the socket its former id): the recovery then runs on the socket's queue.
    /// </summary>
    private bool TryRecover(ConnectRequest request)
    {
        if (!_namespaces.TryGetValue(request.Namespace, out var nsp))
        {
            return false;
        }

        if (nsp.Sessions is null)
        {
            // A pid from a time the namespace recovered sessions: socket.io gives a brand-new socket.
            if (!request.Recovered && TryReadRecoveryAuth(request.HandshakeJson, out var stale, out _) && stale.StartsWith(request.SocketId + "~", StringComparison.Ordinal))
            {
                RefuseRecovery(request);
                return true;
            }

            return false;
        }

        if (request.Recovered)
        {
            // A distributor re-attaches a socket it still holds (reconciliation after it was taken for
            // dead): one that waits to be recovered, or is about to, simply resumes there.
            var held = nsp.Sessions.Find(request.SocketId)
                ?? (_sockets.TryGetValue(request.SocketId, out var open) && open.Pid is not null && open.IsLeaving && open.IsOpen ? open : null);
            if (held is null)
            {
                return false;
            }

            held.Enqueue(
                () =>
                {
                    nsp.Reattach(held, request, () => OnConnectRequest(request, recover: false));
                    return Task.CompletedTask;
                },
                force: true);
            return true;
        }

        if (!TryReadRecoveryAuth(request.HandshakeJson, out var pid, out var offset) || !pid.StartsWith(request.SocketId + "~", StringComparison.Ordinal))
        {
            return false;
        }

        var socket = nsp.FindRecoverable(request.SocketId, pid);
        if (socket is null)
        {
            if (nsp.Sessions.Find(request.SocketId) is not null || _sockets.ContainsKey(request.SocketId))
            {
                // Another session holds that id (a stale or forged pid): a new socket, with a new id.
                RefuseRecovery(request);
                return true;
            }

            // Not held here: perhaps by a replica that is gone; its session is in Redis.
            _ = RestoreFromRedisAsync(nsp, request, pid, offset);
            return true;
        }

        socket.Enqueue(() => nsp.RecoverAsync(socket, request, offset, () => RefuseRecovery(request)), force: true);
        return true;
    }

    /// <summary>
    /// Refuses a recovery (session expired, trimmed or unknown): the distributor connects the client
    /// as a brand-new socket with a new id, as socket.io does (<c>recovered</c> false); the old socket,
    /// if any, has had its disconnect.
    /// </summary>
    internal void RefuseRecovery(ConnectRequest request)
    {
        RecoveryEvents.RecoveryAnsweredAsNew(_logger, request.SocketId, request.Namespace);
        Router.Publish(
            Router.Channels.Distributor(request.DistributorId),
            new ConnectResult(request.SocketId, Id, false, Codec.ConnectError("Session not recoverable", null), RenewId: true));
    }

    /// <summary>Gives each recovering namespace its offsets from Redis when the server can (else logs why not).</summary>
    private async Task StartRecoveryOrderAsync(RedisBus bus)
    {
        foreach (var nsp in _namespaces.Values)
        {
            if (nsp.ReplayLog is not { } log)
            {
                continue;
            }

            if (!log.Options.OffsetsFromRedis)
            {
                RecoveryEvents.OffsetsFromClock(_logger, nsp.Name, "ConnectionStateRecovery.OffsetsFromRedis is false");
                continue;
            }

            // A probe key and channel in one slot, as the namespace's log and channel are.
            var probeChannel = bus.Channels.Backend(Id) + ":probe";
            var (order, why) = await RecoveryOrder.StartAsync(
                bus,
                RecoveryKeys.ReplayLog(bus.Channels.Prefix + ":probe", bus.ServerChannel(probeChannel)),
                probeChannel).ConfigureAwait(false);
            log.Order = order;
            if (order is null)
            {
                RecoveryEvents.OffsetsFromClock(_logger, nsp.Name, why);
            }
            else
            {
                RecoveryEvents.OffsetsFromRedis(_logger, nsp.Name);
            }
        }
    }

    private static bool TryReadRecoveryAuth(ReadOnlyMemory<byte> handshakeJson, out string pid, out string? offset)
    {
        pid = string.Empty;
        offset = null;
        try
        {
            var reader = new Utf8JsonReader(handshakeJson.Span);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("auth", out var auth)
                || auth.ValueKind != JsonValueKind.Object
                || !auth.TryGetProperty("pid", out var pidValue)
                || pidValue.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            pid = pidValue.GetString()!;
            if (auth.TryGetProperty("offset", out var offsetValue) && offsetValue.ValueKind == JsonValueKind.String)
            {
                offset = offsetValue.GetString();
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
