using System.Text.Json;
using System.Text.Json.Nodes;

namespace SocketIO.Distributor.Distribution;

/// <summary>The copy of the socket's application data (<c>socket.data</c>) that its backend keeps here.</summary>
internal sealed partial class RelaySocket
{
    private volatile byte[]? _dataJson;

    /// <summary>The socket's data as its backend last reported it (a JSON object), or null.</summary>
    public byte[]? DataJson
    {
        get => _dataJson;
        set => _dataJson = value;
    }

    /// <summary>
    /// The handshake for a recovery CONNECT (a move to another replica): the original one with the socket's rooms
    /// (<c>"rooms"</c>) and data (<c>"data"</c>) added, so that the next backend starts with them. Built only on a move.
    /// </summary>
    public byte[] HandshakeForMove(string[] rooms)
    {
        JsonObject handshake;
        try
        {
            handshake = JsonNode.Parse(HandshakeJson)?.AsObject() ?? [];
        }
        catch (JsonException)
        {
            return HandshakeJson;
        }

        var rest = new JsonArray();
        foreach (var room in rooms)
        {
            if (room != Id)
            {
                rest.Add(room);
            }
        }

        handshake["rooms"] = rest;
        if (_dataJson is { Length: > 0 } data)
        {
            try
            {
                handshake["data"] = JsonNode.Parse(data);
            }
            catch (JsonException)
            {
                // Not an object the backend wrote: the next backend starts without data.
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(handshake);
    }
}
