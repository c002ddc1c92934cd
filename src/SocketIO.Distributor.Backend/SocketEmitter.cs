using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>Emits to one socket with flags, such as socket.io's <c>socket.volatile.emit</c>.</summary>
public sealed class SocketEmitter
{
    private readonly BackendSocket _socket;
    private readonly EmitFlags _flags;

    internal SocketEmitter(BackendSocket socket, EmitFlags flags)
    {
        _socket = socket;
        _flags = flags;
    }

    /// <summary>True if the emits may be dropped when the client cannot take them now.</summary>
    public bool IsVolatile => (_flags & EmitFlags.Volatile) != 0;

    /// <summary>Emits an event to the socket's client.</summary>
    /// <param name="ev">The event name.</param>
    /// <param name="args">The arguments.</param>
    public void Emit(string ev, params object?[] args) => _socket.Send(ev, args, _flags);
}
