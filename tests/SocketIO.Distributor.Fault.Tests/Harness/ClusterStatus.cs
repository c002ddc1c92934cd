using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>What <c>siod status --json</c> says, summed over the members for <see cref="FaultCluster.Namespace"/>.</summary>
internal sealed class ClusterStatus(List<MemberInfo> members)
{
    public List<MemberInfo> Members { get; } = members;

    public int Distributors => Members.Count(m => m.Kind == MemberKind.Distributor);

    public int Backends => Members.Count(m => m.Kind == MemberKind.Backend);

    /// <summary>Sockets the distributors hold on the namespace.</summary>
    public int DistributorSockets => Sum(MemberKind.Distributor);

    /// <summary>Sockets the backends hold on the namespace.</summary>
    public int BackendSockets => Sum(MemberKind.Backend);

    /// <summary>Both sides agree on <paramref name="sockets"/> sockets (no ghost at a backend, no zombie at a distributor).</summary>
    public bool Converged(int sockets) => DistributorSockets == sockets && BackendSockets == sockets;

    public override string ToString() =>
        $"{Distributors} distributor(s) holding {DistributorSockets} socket(s), {Backends} backend(s) holding {BackendSockets} socket(s) [" +
        string.Join("; ", Members.Select(m => $"{m.Kind.ToString().ToLowerInvariant()} {m.Id[..Math.Min(8, m.Id.Length)]}: {m.Sockets.GetValueOrDefault(FaultCluster.Namespace)}")) + "]";

    private int Sum(MemberKind kind) => Members.Where(m => m.Kind == kind).Sum(m => m.Sockets.GetValueOrDefault(FaultCluster.Namespace));
}
