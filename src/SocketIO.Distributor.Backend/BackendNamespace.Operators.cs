namespace SocketIO.Distributor.Backend;

/// <summary>socket.io's namespace-level modifiers: <c>timeout</c>, <c>local</c>, <c>compress</c>.</summary>
public sealed partial class BackendNamespace
{
    /// <summary>A broadcast to every socket of the namespace whose <see cref="BroadcastOperator.EmitWithAckAsync"/> waits at most <paramref name="timeout"/> (socket.io's <c>io.timeout(ms)</c>).</summary>
    /// <param name="timeout">How long to wait for the answers.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator Timeout(TimeSpan timeout) => All.Timeout(timeout);

    /// <summary>Same as <see cref="Timeout(TimeSpan)"/>, in milliseconds.</summary>
    /// <param name="milliseconds">How long to wait.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator Timeout(int milliseconds) => All.Timeout(milliseconds);

    /// <summary>A broadcast to the sockets this backend replica serves only (see <see cref="BroadcastOperator.Local"/>).</summary>
    public BroadcastOperator Local => All.Local;

    /// <summary>A broadcast with socket.io's <c>compress</c> flag (carried; see <see cref="BroadcastOperator.Compress"/>).</summary>
    /// <param name="compress">True to ask for compression.</param>
    /// <returns>A new broadcast operator.</returns>
    public BroadcastOperator Compress(bool compress) => All.Compress(compress);

    /// <summary>Emits to every socket of the namespace and waits for each client's answer (see <see cref="BroadcastOperator.EmitWithAckAsync"/>).</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>Every client's answer.</returns>
    public Task<IReadOnlyList<SocketArguments>> EmitWithAckAsync(string ev, params object?[] args) => All.EmitWithAckAsync(ev, args);
}
