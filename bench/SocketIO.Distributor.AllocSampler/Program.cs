// Reads a dotnet-trace file taken with `--profile gc-verbose` and prints where the process allocated:
// the runtime samples one allocation per ~100 KB allocated (GCAllocationTick, with the type and the
// stack), so the sampled amounts add up to about what was allocated. Usage:
//   AllocSampler <file.nettrace> [--requests N] [--frames 6] [--stacks 20]
// With --requests (the requests the process served during the trace) it also prints bytes per request.
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine("usage: AllocSampler <file.nettrace> [--requests N] [--frames 6] [--stacks 20]");
    return 2;
}

var requests = Option("--requests", 0);
var frames = Option("--frames", 6);
var stacks = Option("--stacks", 20);
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));

var byType = new Dictionary<string, long>(StringComparer.Ordinal);
var byStack = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData sample)
    {
        continue;
    }

    total += sample.AllocationAmount64;
    byType[sample.TypeName] = byType.GetValueOrDefault(sample.TypeName) + sample.AllocationAmount64;
    var key = sample.TypeName + StackOf(e.CallStack(), frames);
    byStack[key] = byStack.GetValueOrDefault(key) + sample.AllocationAmount64;
}

if (total == 0)
{
    Console.Error.WriteLine($"{args[0]}: no allocation samples (was it taken with --profile gc-verbose?)");
    return 1;
}

Console.WriteLine($"sampled {total / 1e6:F1} MB" + (requests > 0 ? $", {total / (double)requests:F0} bytes per request over {requests:N0} requests" : string.Empty));
Console.WriteLine();
Console.WriteLine("| share | type |");
Console.WriteLine("| ---: | --- |");
foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(25))
{
    Console.WriteLine($"| {100.0 * bytes / total:F1} % | `{type}` |");
}

Console.WriteLine();
Console.WriteLine($"Top {stacks} allocating stacks (type, then {frames} frames, innermost first):");
foreach (var (stack, bytes) in byStack.OrderByDescending(p => p.Value).Take(stacks))
{
    Console.WriteLine($"{100.0 * bytes / total,5:F1} %  {stack}");
}

return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i > 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static string StackOf(TraceCallStack? stack, int frames)
{
    var text = new System.Text.StringBuilder();
    for (var (frame, n) = (stack, 0); frame is not null && n < frames; (frame, n) = (frame.Caller, n + 1))
    {
        var method = frame.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(method))
        {
            method = frame.CodeAddress.ModuleName + "!?";
        }

        text.Append("\n         ").Append(method.Length > 120 ? method[..120] : method);
    }

    return text.ToString();
}
