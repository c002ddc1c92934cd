namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>Losses the processes counted, by kind.</summary>
internal sealed record LossCount(Dictionary<string, long> FromLogs, Dictionary<string, long> FromBackends)
{
    /// <summary>Messages the distributors found missing by sequence gaps (a lost broadcast message counts once per distributor).</summary>
    public long DistributorGaps => FromLogs.GetValueOrDefault("sequence gaps");

    /// <summary>Every counted loss.</summary>
    public long Total => FromLogs.Values.Sum() + FromBackends.Values.Sum();

    public override string ToString() =>
        Total == 0 ? "0 counted losses" : $"{Total} counted losses ({string.Join(", ", FromLogs.Concat(FromBackends).Select(kv => $"{kv.Key}: {kv.Value}"))})";
}
