using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using SocketIO.Distributor.Backend;

namespace SocketIO.Distributor.Demo;

/// <summary>
/// <c>/gameA</c>: tic-tac-toe at tables (rooms). <c>join</c> a table (ack: the board), then
/// <c>move</c> with a cell 0-8; everyone at the table gets <c>board</c> with the new state.
/// </summary>
public sealed class TicTacToeBackend
{
    /// <summary>The namespace served.</summary>
    public const string Namespace = "/gameA";

    private readonly ConcurrentDictionary<string, Board> _tables = new(StringComparer.Ordinal);

    /// <summary>Serves <see cref="Namespace"/> on <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    public void Configure(SocketIOBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var game = backend.Of(Namespace);
        game.OnConnection(socket =>
        {
            socket.OnAsync<string, BoardState>("join", async table =>
            {
                var name = Tables.Validate(table);
                await socket.JoinAsync(name);
                socket.Data["table"] = name;
                return _tables.GetOrAdd(name, _ => new Board()).State(name);
            });
            socket.OnAsync<int, string>("move", cell =>
            {
                if (!socket.Data.TryGetValue("table", out var joined) || joined is not string table || !_tables.TryGetValue(table, out var board))
                {
                    throw new SocketHandlerException("join a table first");
                }

                var error = board.Play(cell, socket.Id);
                if (error is not null)
                {
                    throw new SocketHandlerException(error);
                }

                game.To(table).Emit("board", board.State(table));
                return Task.FromResult("ok");
            });
        });
    }

    private sealed class Board
    {
        private readonly string?[] _cells = new string?[9];
        private int _moves;

        public string? Play(int cell, string player)
        {
            lock (_cells)
            {
                if (cell is < 0 or > 8)
                {
                    return "cell must be 0 to 8";
                }

                if (_cells[cell] is not null)
                {
                    return "that cell is taken";
                }

                if (_moves == 9)
                {
                    Array.Clear(_cells);
                    _moves = 0;
                }

                _cells[cell] = _moves++ % 2 == 0 ? "X" : "O";
                return null;
            }
        }

        public BoardState State(string table)
        {
            lock (_cells)
            {
                return new BoardState(table, [.. _cells.Select(c => c ?? string.Empty)], _moves);
            }
        }
    }
}

/// <summary>
/// <c>/gameB</c>: dice at tables (rooms). <c>join</c> a table, then <c>roll</c>; everyone at the
/// table gets <c>rolled</c> with who rolled what.
/// </summary>
public sealed class DiceBackend
{
    /// <summary>The namespace served.</summary>
    public const string Namespace = "/gameB";

    /// <summary>Serves <see cref="Namespace"/> on <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    public static void Configure(SocketIOBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var game = backend.Of(Namespace);
        game.OnConnection(socket =>
        {
            socket.OnAsync<string, string>("join", async table =>
            {
                var name = Tables.Validate(table);
                await socket.JoinAsync(name);
                socket.Data["table"] = name;
                return name;
            });
            socket.OnAsync<string?, int>("roll", _ =>
            {
                if (!socket.Data.TryGetValue("table", out var joined) || joined is not string table)
                {
                    throw new SocketHandlerException("join a table first");
                }

                var value = Random.Shared.Next(1, 7);
                game.To(table).Emit("rolled", new DiceRoll(socket.Id, value));
                return Task.FromResult(value);
            });
        });
    }
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

/// <summary>Table names: short words.</summary>
internal static class Tables
{
    public static string Validate(string? table) =>
        !string.IsNullOrWhiteSpace(table) && table.Length <= 32 && table.All(c => char.IsLetterOrDigit(c) || c is '-' or '_')
            ? table
            : throw new SocketHandlerException("a table is 1-32 letters, digits, '-' or '_'");
}
