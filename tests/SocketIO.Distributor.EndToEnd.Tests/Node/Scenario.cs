using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;

namespace SocketIO.Distributor.EndToEnd.Tests.Node;

/// <summary>Runs <c>tests/clients/scenario.mjs</c>: one real socket.io-client through the whole echo contract.</summary>
internal static class Scenario
{
    /// <summary>The script stops itself after 13 s; this only catches a hung Node process.</summary>
    private static readonly TimeSpan KillAfter = Eventually.DefaultTimeout + TimeSpan.FromSeconds(5);

    private static readonly string[] Namespaces = ["/", "/custom"];

    private static readonly string[] NamespaceChecks =
    [
        "connect",
        "auth",
        "message-back string",
        "message-back number",
        "message-back object",
        "message-back binary",
        "message-back mixed args with nested binary",
        "message-with-ack json",
        "message-with-ack binary",
        "server-ack-me",
        "server-ack-me has an ack callback",
        "server-ack-received",
    ];

    /// <param name="client"><c>v4</c> (socket.io-client 4.x, EIO4) or <c>v2</c> (socket.io-client 2.x, EIO3).</param>
    /// <param name="transport"><c>websocket</c>, <c>polling</c> or <c>upgrade</c> (polling, then WebSocket).</param>
    public static async Task RunAndAssertAsync(string client, string transport)
    {
        await using var server = await EchoServer.StartAsync();
        var run = await NodeClients.RunScriptAsync("scenario.mjs", [server.Url, client, transport], KillAfter);
        ScenarioReport.Parse(run).AssertPassed(ExpectedChecks(transport));
    }

    /// <summary>Every check the scenario must have run and passed in <paramref name="transport"/> mode.</summary>
    public static IEnumerable<string> ExpectedChecks(string transport)
    {
        foreach (var nsp in Namespaces)
        {
            foreach (var check in NamespaceChecks)
            {
                yield return $"{nsp} {check}";
            }
        }

        if (transport == "upgrade")
        {
            yield return "transport starts as polling";
            yield return "transport upgraded to websocket";
        }
        else
        {
            yield return $"transport is {transport}";
        }

        yield return "transport after checks";
        yield return "/nope is refused";
        yield return "disconnect";
        yield return "engine closed";
    }
}
