namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>What is wrong with a payload a client sent: the field (a path in the argument) and why.</summary>
/// <param name="Field">The field, such as <c>message</c> or <c>players[2].name</c>; the argument's name for a whole argument.</param>
/// <param name="Message">What the client sees, such as <c>message must be at most 500 characters</c>.</param>
public sealed record ContractViolation(string Field, string Message);
