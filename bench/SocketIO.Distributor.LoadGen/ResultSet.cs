using System.Globalization;
using System.Text.Json;

namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// The rows of one bench/run, grouped by (generator, setup, scenario, variant) over its interleaved
/// runs: every figure as the median and the range (min–max) of its runs.
/// </summary>
internal sealed class ResultSet
{
    private readonly Dictionary<(string Generator, string Target, string Scenario, string Variant), Aggregate> _groups = [];

    public ResultSet(string path)
    {
        var rows = File.ReadAllLines(path)
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<StoredRow>(l, ResultJson.Options)!)
            .ToList();
        rows.ForEach(AddKneeStep);
        Rows = rows;
        foreach (var group in rows.GroupBy(r => (r.Generator.Length == 0 ? "dotnet" : r.Generator, r.Target, r.Scenario, r.Variant)))
        {
            _groups[group.Key] = new Aggregate([.. group]);
        }
    }

    /// <summary>
    /// A fan-out knee is a step of the doubling schedule; what a step measures differs from its nominal rate
    /// by a few per thousand (timer jitter). Each fan-out row gets the step it broke after (0 = the first
    /// rate) and that step's nominal deliveries/s, so knees of two setups compare as steps, not as jitter.
    /// </summary>
    private static void AddKneeStep(StoredRow row)
    {
        var v = row.Values;
        if (row.Scenario != "fanout"
            || !v.TryGetValue("broadcasts_per_s", out var rate) || !v.TryGetValue("first_broadcasts_per_s", out var first)
            || !v.TryGetValue("recipients", out var recipients) || first <= 0 || rate <= 0)
        {
            return;
        }

        var step = Math.Max(0, Math.Round(Math.Log2(rate / first)));
        v["knee_step"] = step;
        v["knee_nominal_deliveries_per_s"] = Math.Round(first) * Math.Pow(2, step) * recipients;
    }

    /// <summary>Every row as stored (one per run).</summary>
    public IReadOnlyList<StoredRow> Rows { get; }

    /// <summary>The generators that produced rows, C# first.</summary>
    public IEnumerable<string> Generators => _groups.Keys.Select(k => k.Generator).Distinct().OrderBy(g => g == "dotnet" ? 0 : 1);

    public Aggregate? Find(string generator, string target, string scenario, string variant = "") =>
        _groups.GetValueOrDefault((generator, target, scenario, variant));

    public IEnumerable<string> Variants(string scenario) =>
        _groups.Keys.Where(k => k.Scenario == scenario).Select(k => k.Variant).Distinct().Order(StringComparer.Ordinal);

    /// <summary>One figure over the runs of one group.</summary>
    internal readonly record struct Figure(double Median, double Min, double Max, int Runs)
    {
        public static readonly Figure None = new(double.NaN, double.NaN, double.NaN, 0);

        public bool Exists => Runs > 0 && !double.IsNaN(Median);

        public Figure Scale(double factor) => new(Median * factor, Min * factor, Max * factor, Runs);

        /// <summary>"median (min–max)", or the value alone for one run or no spread.</summary>
        public override string ToString()
        {
            if (!Exists)
            {
                return "–";
            }

            return Runs > 1 && Format(Min) != Format(Max)
                ? $"{Format(Median)} ({Format(Min)}–{Format(Max)})"
                : Format(Median);
        }

        /// <summary>The half-spread of the range around the median, as a share of the median (±15 % target).</summary>
        public double Spread => Median == 0 ? double.NaN : Math.Max(Max - Median, Median - Min) / Math.Abs(Median);

        public static string Format(double value) =>
            double.IsNaN(value) ? "–"
            : Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
            : Math.Abs(value) >= 100 ? value.ToString("0", CultureInfo.InvariantCulture)
            : Math.Abs(value) >= 10 ? value.ToString("0.#", CultureInfo.InvariantCulture)
            : value.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>The runs of one (generator, setup, scenario, variant).</summary>
    internal sealed class Aggregate(List<StoredRow> runs)
    {
        public IReadOnlyList<StoredRow> Runs => runs;

        public IEnumerable<string> Keys => runs.SelectMany(r => r.Values.Keys).Distinct().Order(StringComparer.Ordinal);

        public IEnumerable<string> Notes => runs.SelectMany(r => r.Notes.Select(n => $"run {r.Run}: {n}"));

        public Figure this[string key]
        {
            get
            {
                var values = runs.Where(r => r.Values.ContainsKey(key)).Select(r => r.Values[key]).Where(v => !double.IsNaN(v)).Order().ToArray();
                if (values.Length == 0)
                {
                    return Figure.None;
                }

                var median = values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
                return new Figure(median, values[0], values[^1], values.Length);
            }
        }
    }

    internal sealed class StoredRow
    {
        public string Target { get; set; } = string.Empty;

        public string Scenario { get; set; } = string.Empty;

        public string Variant { get; set; } = string.Empty;

        public int Run { get; set; } = 1;

        public string Generator { get; set; } = "dotnet";

        public Dictionary<string, double> Values { get; set; } = [];

        public List<string> Notes { get; set; } = [];
    }
}
