using System.Text.Json;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;
using SocketIO.Distributor.Testing.Node;
using Xunit.Abstractions;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>
/// The acceptance test of <c>siod demo</c>: two people use the demo page in a real browser (headless
/// Chromium), each on another distributor, and see each other's chat messages, moves and dice rolls;
/// while their pages are open, <c>siod status</c> shows them. See <c>tests/clients/browser-demo.mjs</c>.
/// </summary>
public sealed class DemoInBrowserTests(ITestOutputHelper output)
{
    /// <summary>The script bounds each of its steps and its own run; this is the outer limit.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Two_people_on_two_distributors_chat_and_play_in_the_demo_page()
    {
        // Debian's Chromium, installed by the fixture when missing (as root with apt-get); otherwise a clear failure.
        var chromium = await SystemChromium.EnsureInstalledAsync();
        var screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots", nameof(Two_people_on_two_distributors_chat_and_play_in_the_demo_page));
        if (Directory.Exists(screenshots))
        {
            Directory.Delete(screenshots, recursive: true);
        }

        Directory.CreateDirectory(screenshots);
        var ready = Path.Combine(screenshots, "ready");
        var release = Path.Combine(screenshots, "release");

        await using var demo = await DemoUnderTest.StartAsync("browser");
        var script = NodeClients.RunScriptAsync("browser-demo.mjs", [demo.Urls[0], demo.Urls[1], screenshots, chromium], ScriptTimeout);
        List<MemberInfo>? whileOpen = null;
        NodeScriptResult result;
        try
        {
            // The script writes "ready" once its checks passed and holds both pages open until "release" exists.
            await Eventually.TrueAsync(() => File.Exists(ready) || script.IsCompleted, "the browser script's pages are ready", ScriptTimeout);
            if (File.Exists(ready))
            {
                whileOpen = await demo.StatusWhenAsync(
                    m => Distributors(m).Count == 2 && Distributors(m).All(d => d.Connections == 1 && SocketsOf(d) == "/chat=1 /gameA=1 /gameB=1")
                        && BackendSockets(m) == "/chat=2 /gameA=2 /gameB=2",
                    "siod status shows the two pages: one connection and three sockets on each distributor");
            }
        }
        finally
        {
            await File.WriteAllTextAsync(release, "release\n");
            result = await script;
            output.WriteLine(result.ToString());
        }

        Assert.True(result.ExitCode == 0 && result.Json is { } json && json.GetProperty("ok").GetBoolean(), result.ToString());
        output.WriteLine($"Screenshots: {screenshots}");
        foreach (var page in new[] { "alice", "bob" })
        {
            var png = Path.Combine(screenshots, page + ".png");
            Assert.True(File.Exists(png), $"no screenshot {png}");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        }

        // Each page is on its own distributor, and status (read while the pages were open) agrees.
        var pages = result.Json!.Value.GetProperty("pages");
        var alice = DistributorIdOf(pages.GetProperty("alice"));
        var bob = DistributorIdOf(pages.GetProperty("bob"));
        Assert.NotEqual(alice, bob);
        Assert.NotNull(whileOpen);
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), Distributors(whileOpen).Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal(3, whileOpen.Count(m => m.Kind == MemberKind.Backend));
    }

    /// <summary>The page shows "&lt;distributor id&gt; (port N)".</summary>
    private static string DistributorIdOf(JsonElement page) => page.GetProperty("distributor").GetString()!.Split(' ')[0];

    private static List<MemberInfo> Distributors(List<MemberInfo> members) => [.. members.Where(m => m.Kind == MemberKind.Distributor)];

    private static string SocketsOf(MemberInfo member) =>
        string.Join(" ", DemoUnderTest.Namespaces.Select(n => $"{n}={member.Sockets.GetValueOrDefault(n)}"));

    private static string BackendSockets(List<MemberInfo> members) =>
        string.Join(" ", DemoUnderTest.Namespaces.Select(n =>
            $"{n}={members.Where(m => m.Kind == MemberKind.Backend && m.Namespaces.Contains(n)).Sum(m => m.Sockets.GetValueOrDefault(n))}"));
}
