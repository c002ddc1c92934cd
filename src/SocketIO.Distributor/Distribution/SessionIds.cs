namespace SocketIO.Distributor.Distribution;

/// <summary>
/// Engine.IO session ids that name their distributor: <c>{distributorId}.{128 random bits, base64url}</c>.
/// A distributor id is letters, digits, '-' and '_' (no '.'), and the random part has no '.', so the
/// last '.' splits them. The random part keeps a sid unguessable; the distributor part only says where
/// to ask, and the holder still checks that the session exists.
/// </summary>
internal static class SessionIds
{
    /// <summary>The longest distributor id (see <see cref="DistributorOptions.DistributorId"/>).</summary>
    private const int MaxDistributorId = 32;

    /// <summary>A new session id of <paramref name="distributorId"/>.</summary>
    public static string New(string distributorId) => distributorId + "." + EngineIO.EngineServer.NewSessionId();

    /// <summary>The distributor a session id names; false for a sid of another form (for example one minted by an older version).</summary>
    public static bool TryGetOwner(string sid, out string owner)
    {
        owner = string.Empty;
        var dot = sid.LastIndexOf('.');
        if (dot is <= 0 or > MaxDistributorId || dot == sid.Length - 1)
        {
            return false;
        }

        foreach (var c in sid.AsSpan(0, dot))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        owner = sid[..dot];
        return true;
    }
}
