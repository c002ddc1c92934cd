using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketIO.Distributor.Protocol.EngineIO;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.SocketIO;

/// <summary>
/// Connecting to a namespace: the namespace's handler decides (possibly asynchronously, e.g. by
/// asking a backend); the client then gets CONNECT with its socket id, or CONNECT_ERROR.
/// </summary>
internal sealed partial class SocketClient
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();
    private static readonly byte[] InvalidNamespaceError = "{\"message\":\"Invalid namespace\"}"u8.ToArray();

    private void OnConnect(in SocketPacket packet)
    {
        var name = packet.NamespaceName;
        ReadOnlyMemory<byte> auth = packet.Data.IsEmpty ? EmptyObject : packet.Data.ToArray();
        if (Session.ProtocolVersion == EngineProtocolVersion.V3)
        {
            // socket.io v2 puts the auth in the namespace's query string: "/chat?token=1".
            var query = name.IndexOf('?', StringComparison.Ordinal);
            auth = query < 0 ? EmptyObject : QueryToJson(name[(query + 1)..]);
            name = query < 0 ? name : name[..query];
        }

        if (name.Length == 0 || name[0] != '/')
        {
            ProtocolError($"invalid namespace '{name}'");
            return;
        }

        ClientSocket? socket = null;
        CancellationToken closed = default;
        string? violation = null;
        lock (_gate)
        {
            if (_closed.IsCancellationRequested)
            {
                return;
            }

            if ((_pendingConnects?.Contains(name) ?? false) || _sockets.Exists(s => s.Namespace == name))
            {
                // socket.io treats this as an invalid state and closes the connection.
                violation = $"a second CONNECT to namespace '{name}'";
            }
            else if (_sockets.Count + (_pendingConnects?.Count ?? 0) >= _server.Options.MaxNamespacesPerClient)
            {
                violation = $"more than {_server.Options.MaxNamespacesPerClient} namespaces";
            }
            else if (_server.TryGetNamespace(name, out var handler) || (IsImplicitRoot(name) && (handler = SilentRootNamespace.Instance) is not null))
            {
                (_pendingConnects ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
                socket = new ClientSocket(this, name, _server.SocketIdFor(name, auth, Session.ProtocolVersion), auth, handler);
                closed = _closed.Token;
            }
        }

        if (violation is not null)
        {
            ProtocolError(violation);
            return;
        }

        if (socket is null)
        {
            Session.Send(SocketPacketWriter.EncodeFrame(SocketPacketType.ConnectError, name, -1, 0, ConnectErrorPayload(InvalidNamespaceError)));
            return;
        }

        _ = ConnectAsync(socket, closed);
    }

    /// <summary>True for the root namespace of an EIO3 client, which socket.io v2 connects without asking.</summary>
    private bool IsImplicitRoot(string name) => name == "/" && Session.ProtocolVersion == EngineProtocolVersion.V3;

    private async Task ConnectAsync(ClientSocket socket, CancellationToken closed)
    {
        ConnectDecision decision;
        try
        {
            decision = await socket.Handler.OnConnectAsync(socket, closed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !closed.IsCancellationRequested)
        {
            Log.HandlerFailed(Logger, ex, socket.Namespace, socket.Id);
            decision = ConnectDecision.Reject("Internal error");
        }
        catch (OperationCanceledException)
        {
            return;
        }

        bool clientGone;
        lock (_gate)
        {
            if (_pendingConnects is { } pending && pending.Remove(socket.Namespace) && pending.Count == 0)
            {
                // The set's buckets stay allocated after its last removal: dropped, so a connected client keeps none.
                _pendingConnects = null;
            }

            clientGone = _closed.IsCancellationRequested;
            if (!clientGone && decision.IsAccepted)
            {
                socket.IsConnected = true;
                _sockets.Add(socket);
            }
        }

        if (clientGone)
        {
            // The client left while the handler decided: an accepting handler must learn the socket is gone.
            if (decision.IsAccepted)
            {
                NotifyDisconnect(socket, "transport close");
            }

            return;
        }

        if (!decision.IsAccepted)
        {
            Session.Send(SocketPacketWriter.EncodeFrame(SocketPacketType.ConnectError, socket.Namespace, -1, 0, ConnectErrorPayload(decision.ErrorJson.ToArray())));
            return;
        }

        // The first connect ends the connect timeout for good: the timer goes, so a connected client holds none.
        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        if (_closed.IsCancellationRequested)
        {
            // The connection closed meanwhile; OnClose has already told the handler.
            return;
        }

        var payload = Session.ProtocolVersion == EngineProtocolVersion.V3
            ? ReadOnlySpan<byte>.Empty
            : decision.Pid is { } pid
                ? Encoding.UTF8.GetBytes($"{{\"sid\":\"{socket.Id}\",\"pid\":\"{pid}\"}}")
                : Encoding.UTF8.GetBytes($"{{\"sid\":\"{socket.Id}\"}}");
        foreach (var missed in decision.Missed ?? [])
        {
            // A recovered socket gets what it missed before its CONNECT, as socket.io writes it.
            Session.Send(missed);
        }

        Session.Send(SocketPacketWriter.EncodeFrame(SocketPacketType.Connect, socket.Namespace, -1, 0, payload));
        Log.SocketConnected(Logger, socket.Namespace, socket.Id, Session.Id);
        try
        {
            socket.Handler.OnConnected(socket);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(Logger, ex, socket.Namespace, socket.Id);
        }
    }

    /// <summary>EIO3 clients (socket.io protocol v4) expect the error as a string: the message.</summary>
    private ReadOnlySpan<byte> ConnectErrorPayload(byte[] errorJson)
    {
        if (Session.ProtocolVersion != EngineProtocolVersion.V3)
        {
            return errorJson;
        }

        try
        {
            using var document = JsonDocument.Parse(errorJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message))
            {
                return Encoding.UTF8.GetBytes(message.GetRawText());
            }
        }
        catch (JsonException)
        {
            // Fall through: send it as it is.
        }

        return errorJson;
    }

    private static byte[] QueryToJson(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            values[key] = value;
        }

        return JsonSerializer.SerializeToUtf8Bytes(values, SocketIOJsonContext.Default.DictionaryStringString);
    }
}
