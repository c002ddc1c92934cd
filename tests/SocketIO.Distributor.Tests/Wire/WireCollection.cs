namespace SocketIO.Distributor.Tests.Wire;

/// <summary>
/// All wire conformance tests run one at a time, after the parallel tests. The hosts use the protocol
/// suites' heartbeat (pingInterval 300 ms, pingTimeout 200 ms): a pong, often a fresh HTTP request over
/// long-polling, must reach the server within 200 ms of its ping, and an upgrade must finish before the
/// next ping is due. With many sessions in parallel on a 2-core machine those windows are missed and
/// sessions die for reasons the tests are not about.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WireCollection
{
    public const string Name = "Wire protocol conformance";
}
