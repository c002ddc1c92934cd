namespace SocketIO.Distributor.EndToEnd.Tests.Cluster.Recovery;

/// <summary>
/// The 1,000-client recovery tests run alone, after the parallel tests: on a 2-core machine their
/// thousand connections beside other tests would measure the neighbours, not the recovery.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RecoveryLoadCollection
{
    public const string Name = "Connection state recovery under load";
}
