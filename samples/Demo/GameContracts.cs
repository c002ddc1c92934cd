using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using SocketIO.Distributor.Backend.Contracts;

namespace SocketIO.Distributor.Demo;

/// <summary>What a tic-tac-toe client sends to <c>/gameA</c>.</summary>
[SocketIOContract(TicTacToeBackend.Namespace, Client = typeof(ITicTacToeClient), Json = typeof(DemoJson))]
public interface ITicTacToeServer
{
    /// <summary>Sits at a table (a room); the result is its board.</summary>
    /// <param name="table">The table: 1-32 letters, digits, '-' or '_'.</param>
    /// <returns>The table's board.</returns>
    Task<BoardState> Join([StringLength(32, MinimumLength = 1), RegularExpression("[A-Za-z0-9_-]+")] string table);

    /// <summary>Plays a cell at the table joined; everyone there gets the new <c>board</c>.</summary>
    /// <param name="cell">The cell, 0 to 8.</param>
    /// <returns><c>"ok"</c>.</returns>
    Task<string> Move([Range(0, 8)] int cell);
}

/// <summary>What <c>/gameA</c> sends.</summary>
public interface ITicTacToeClient
{
    /// <summary>A table's board after a move.</summary>
    /// <param name="board">The board.</param>
    void Board(BoardState board);
}

/// <summary>What a dice client sends to <c>/gameB</c>.</summary>
[SocketIOContract(DiceBackend.Namespace, Client = typeof(IDiceClient), Json = typeof(DemoJson))]
public interface IDiceServer
{
    /// <summary>Sits at a table (a room); the result is the table's name.</summary>
    /// <param name="table">The table: 1-32 letters, digits, '-' or '_'.</param>
    /// <returns>The table.</returns>
    Task<string> Join([StringLength(32, MinimumLength = 1), RegularExpression("[A-Za-z0-9_-]+")] string table);

    /// <summary>Rolls a die at the table joined; everyone there gets <c>rolled</c>.</summary>
    /// <returns>The value, 1 to 6.</returns>
    Task<int> Roll();
}

/// <summary>What <c>/gameB</c> sends.</summary>
public interface IDiceClient
{
    /// <summary>Someone at the table rolled.</summary>
    /// <param name="roll">Who rolled what.</param>
    void Rolled(DiceRoll roll);
}

/// <summary>The state of a tic-tac-toe table.</summary>
/// <param name="Table">The table.</param>
/// <param name="Cells">Nine cells: "X", "O" or "".</param>
/// <param name="Moves">Moves played on this board.</param>
public sealed record BoardState(
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("cells")] string[] Cells,
    [property: JsonPropertyName("moves")] int Moves);

/// <summary>A dice roll.</summary>
/// <param name="Player">The socket that rolled.</param>
/// <param name="Value">1 to 6.</param>
public sealed record DiceRoll(
    [property: JsonPropertyName("player")] string Player,
    [property: JsonPropertyName("value")] int Value);

/// <summary>The JSON metadata of the demo's payloads (System.Text.Json source generation).</summary>
// Numbers are numbers: the web defaults would also read "4" as 4.
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(PostMessageRequest))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(IReadOnlyList<ChatMessage>))]
[JsonSerializable(typeof(BoardState))]
[JsonSerializable(typeof(DiceRoll))]
internal sealed partial class DemoJson : JsonSerializerContext;
