using Microsoft.CodeAnalysis;

namespace SocketIO.Distributor.Generators;

/// <summary>How a contract method answers: nothing (an event), after a task (an event), or with a result (a request).</summary>
internal enum ContractMethodKind
{
    Void,
    Task,
    Request,
}

/// <summary>A method of a contract and the event it is.</summary>
/// <param name="Symbol">The method.</param>
/// <param name="EventName">The event name on the wire.</param>
/// <param name="Kind">How it answers.</param>
/// <param name="Result">The result type of a request.</param>
internal sealed record ContractMethod(IMethodSymbol Symbol, string EventName, ContractMethodKind Kind, ITypeSymbol? Result);
