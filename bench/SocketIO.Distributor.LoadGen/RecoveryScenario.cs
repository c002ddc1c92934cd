namespace SocketIO.Distributor.LoadGen;

/// <summary>
/// What connection state recovery costs: the echo and fan-out scenarios against a backend started with
/// <c>BenchServer backend --recovery on</c> (offsets in every tick, the replay log written on every
/// broadcast, recoverable emits on the namespace channel), to put beside the same against
/// <c>--recovery off</c>. Run it twice with the target named after the mode, e.g.
/// <c>LoadGen run recovery --target ours-recovery-on ...</c> and <c>--target ours-recovery-off</c>;
/// the rows compare as echo and fanout rows do (server CPU per request and per delivery).
/// </summary>
internal static class RecoveryScenario
{
    public static async Task RunAsync(ScenarioContext context)
    {
        Console.WriteLine($"recovery: echo, then fan-out, against {context.Target} (start its backend with --recovery on or off to match)");
        await EchoScenario.RunAsync(context).ConfigureAwait(false);
        await FanoutScenario.RunAsync(context).ConfigureAwait(false);
    }
}
