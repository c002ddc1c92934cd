namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>
/// The event name of a contract method, when it is not the method's name in camelCase
/// (<c>PostMessage</c> is <c>postMessage</c> by default).
/// </summary>
/// <param name="name">The event name on the wire.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SocketIOEventAttribute(string name) : Attribute
{
    /// <summary>The event name on the wire.</summary>
    public string Name { get; } = name;
}
