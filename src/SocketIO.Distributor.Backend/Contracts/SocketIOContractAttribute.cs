namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>
/// Marks an interface as the contract of a Socket.IO namespace: each of its methods is an event the
/// client sends. A method returning <see cref="Task"/> (or <c>void</c>) is an event; one returning
/// <see cref="Task{TResult}"/> is a request whose result the client's callback receives as
/// <c>(null, result)</c>, or <c>({message, code, data}, undefined)</c> when it fails. The source
/// generator of <c>SocketIO.Distributor.Generators</c> turns it into a binding
/// (<c>{Name}Contract.Serve</c>), a typed client proxy, run-time validation of what clients send,
/// and TypeScript declarations.
/// </summary>
/// <param name="namespace">The namespace served, such as <c>/chat</c>.</param>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class SocketIOContractAttribute(string @namespace) : Attribute
{
    /// <summary>The namespace served, such as <c>/chat</c>.</summary>
    public string Namespace { get; } = @namespace;

    /// <summary>The interface of what the server sends: each <c>void</c> method is an event to the client.</summary>
    public Type? Client { get; set; }

    /// <summary>
    /// A <c>System.Text.Json</c> source-generated <c>JsonSerializerContext</c> that holds every payload
    /// type of the contract (<c>[JsonSerializable(typeof(...))]</c>); without it payloads are read and
    /// written with <see cref="BackendOptions.Json"/> through reflection.
    /// </summary>
    public Type? Json { get; set; }
}
