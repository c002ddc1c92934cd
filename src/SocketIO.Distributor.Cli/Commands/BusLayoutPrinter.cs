using System.Globalization;
using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Cli.Commands;

/// <summary>The bus section of <c>siod status</c>: the pub/sub mode and, on a cluster, how the live channels spread over the masters.</summary>
internal static class BusLayoutPrinter
{
    public static void Print(BusLayout layout, TextWriter output)
    {
        var mode = layout.Mode == PubSubMode.Sharded ? "sharded" : "classic";
        if (!layout.IsCluster)
        {
            var channels = layout.Masters.Sum(m => m.Channels);
            output.WriteLine($"Bus: {mode} pub/sub on a single Redis ({string.Join(",", layout.Masters.Select(m => m.Endpoint))}), {channels} live channel(s).");
            output.WriteLine();
            return;
        }

        output.WriteLine($"Bus: {mode} pub/sub on a Redis Cluster of {layout.Masters.Count} master(s).");
        string[] header = ["MASTER", "SLOTS", "CHANNELS"];
        var rows = layout.Masters.Select(m => new[] { m.Endpoint, m.Slots.ToString(CultureInfo.InvariantCulture), m.Channels.ToString(CultureInfo.InvariantCulture) }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }

        if (layout.Mode == PubSubMode.Classic)
        {
            output.WriteLine("Classic pub/sub on a cluster: every node receives every message. Redis 7 masters support sharded pub/sub (siod distributor --pubsub auto).");
        }

        output.WriteLine();
    }
}
