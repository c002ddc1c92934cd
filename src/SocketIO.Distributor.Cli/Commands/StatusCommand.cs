using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Cli.Commands;

/// <summary><c>siod status</c>: the live distributors and backends, read from the registry in Redis.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var redis = RedisOptions.Redis();
        var prefix = RedisOptions.Prefix();
        var json = new Option<bool>("--json") { Description = "Print JSON (one array of members) for scripts." };
        var command = new Command("status", "Show the bus (classic or sharded pub/sub; on a Redis Cluster, each master's slots and live channels) and the live distributors and backends, their namespaces and connection counts.")
        {
            redis, prefix, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var bus = await RedisBus.ConnectAsync(new BusOptions { Redis = parsed.GetValue(redis)!, ChannelPrefix = parsed.GetValue(prefix)! }, NullLogger.Instance);
            var members = await ReadMembersAsync(bus);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(members, MemberListJsonContext.Default.ListMemberInfo));
            }
            else
            {
                BusLayoutPrinter.Print(await bus.DescribeLayoutAsync(), output);
                Print(members, output);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The live members (those whose alive key has expired are left out).</summary>
    public static async Task<List<MemberInfo>> ReadMembersAsync(RedisBus bus)
    {
        var (alive, _) = await ClusterMembership.ReadAliveAsync(bus, NullLogger.Instance, TimeProvider.System);
        return [.. alive.OrderBy(m => m.Kind).ThenBy(m => m.Id, StringComparer.Ordinal)];
    }

    private static void Print(List<MemberInfo> members, TextWriter output)
    {
        if (members.Count == 0)
        {
            output.WriteLine("No live distributors or backends under this prefix.");
            return;
        }

        string[] header = ["KIND", "ID", "NAMESPACES", "SOCKETS", "CONNECTIONS", "ENDPOINT", "HOST", "UP"];
        var rows = members.Select(m => new[]
        {
            m.Kind.ToString().ToLowerInvariant(),
            m.Id,
            string.Join(",", m.Namespaces),
            string.Join(" ", m.Sockets.Select(kv => $"{kv.Key}={kv.Value}")),
            m.Kind == MemberKind.Distributor ? m.Connections.ToString(CultureInfo.InvariantCulture) : "-",
            m.Endpoint.Length > 0 ? m.Endpoint : "-",
            m.Host,
            Uptime(m.StartedAt) + (m.Leaving ? " draining" : string.Empty),
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }

        var distributors = members.Count(m => m.Kind == MemberKind.Distributor);
        output.WriteLine($"{distributors} distributor(s), {members.Count - distributors} backend(s), {members.Where(m => m.Kind == MemberKind.Distributor).Sum(m => m.Connections)} connection(s).");
    }

    private static string Uptime(long startedAt)
    {
        var up = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(startedAt);
        return up.TotalHours >= 1 ? $"{(int)up.TotalHours}h{up.Minutes:00}m" : $"{(int)up.TotalMinutes}m{up.Seconds:00}s";
    }
}

/// <summary>Source-generated JSON for <c>siod status --json</c>.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<MemberInfo>))]
internal sealed partial class MemberListJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
