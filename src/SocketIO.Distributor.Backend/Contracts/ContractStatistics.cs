namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>
/// What the typed contracts of one backend refused: every refusal was answered (an error ack, or a
/// <c>siod:error</c> event when the client passed no callback) and is counted here and in the
/// <c>siod.backend.contract_refusals</c> metric.
/// </summary>
public sealed class ContractStatistics
{
    private long _invalid;
    private long _unknown;

    /// <summary>Events whose payload did not fit the contract (shape, required fields, ranges).</summary>
    public long InvalidPayloads => Interlocked.Read(ref _invalid);

    /// <summary>Events that are not in the namespace's contract.</summary>
    public long UnknownEvents => Interlocked.Read(ref _unknown);

    internal void OnInvalidPayload() => Interlocked.Increment(ref _invalid);

    internal void OnUnknownEvent() => Interlocked.Increment(ref _unknown);
}
