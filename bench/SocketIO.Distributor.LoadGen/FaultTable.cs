namespace SocketIO.Distributor.LoadGen;

/// <summary>The fault section of RESULTS.md: between two markers, so the fault step can rewrite it alone.</summary>
internal static class FaultTable
{
    public const string Begin = "<!-- fault table: written by bench/run fault -->";
    public const string End = "<!-- end of fault table -->";

    /// <summary>The target for each fault.</summary>
    public static string Target(string fault) => fault switch
    {
        "redis-restart" => "all clients answered within 5 s of the restart, 0 disconnects, no silent loss",
        "backend-kill" => "0 disconnects, failover ≤ 1 s, 0 silent losses",
        "distributor-kill" => "the other distributor's clients see 0 gaps",
        "backend-pause" or "distributor-pause" => "every client served again after the resume, no silent loss (convergence within 2 heartbeats: see the fault tests)",
        _ => "",
    };

    /// <summary>Replaces the section in <paramref name="path"/>, or appends it when there is none.</summary>
    public static void Replace(string path, string section)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        text = begin >= 0 && end > begin
            ? string.Concat(text.AsSpan(0, begin), section.TrimEnd(), text.AsSpan(end + End.Length))
            : text.TrimEnd() + Environment.NewLine + Environment.NewLine + section;
        File.WriteAllText(path, text.TrimEnd() + Environment.NewLine);
    }
}
