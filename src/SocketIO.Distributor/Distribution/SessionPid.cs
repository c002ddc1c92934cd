using System.Text.Json;

namespace SocketIO.Distributor.Distribution;

/// <summary>
/// The private id of a recovery session, as a client sends it back in its CONNECT's <c>auth.pid</c>:
/// <c>&lt;socketId&gt;~&lt;backendId&gt;~&lt;secret&gt;</c> (the backend makes it; only it checks the secret).
/// </summary>
internal static class SessionPid
{
    private const int MaxLength = 256;

    /// <summary>Reads the socket id and backend id a CONNECT's auth names; false when it carries no well-formed pid.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> auth, out string socketId, out string backendId)
    {
        socketId = string.Empty;
        backendId = string.Empty;
        if (auth.IsEmpty || auth.Span.IndexOf("\"pid\""u8) < 0)
        {
            return false;
        }

        string? pid;
        try
        {
            using var document = JsonDocument.Parse(auth);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("pid", out var value)
                || value.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            pid = value.GetString();
        }
        catch (JsonException)
        {
            return false;
        }

        if (pid is null || pid.Length > MaxLength)
        {
            return false;
        }

        var parts = pid.Split('~');
        if (parts.Length != 3 || !IsId(parts[0]) || !parts[0].Contains('.', StringComparison.Ordinal) || !IsId(parts[1]) || parts[2].Length == 0)
        {
            return false;
        }

        socketId = parts[0];
        backendId = parts[1];
        return true;
    }

    private static bool IsId(string text)
    {
        if (text.Length is 0 or > 100)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
