using System.Collections.Concurrent;
using SocketIO.Distributor.Backend;
using SocketIO.Distributor.Backend.Contracts;

namespace SocketIO.Distributor.Demo;

/// <summary>
/// <c>/gameA</c>: tic-tac-toe at tables (rooms), through <see cref="ITicTacToeServer"/>. <c>join</c>
/// a table (ack: the board), then <c>move</c> with a cell 0-8; everyone at the table gets
/// <c>board</c> with the new state.
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
        TicTacToeContract.Serve(backend, socket => new Player(this, socket));
    }

    /// <summary>One client at the game; the table it joined is its own state.</summary>
    private sealed class Player(TicTacToeBackend game, ContractSocket<ITicTacToeClient> socket) : ITicTacToeServer
    {
        private volatile string? _table;

        public async Task<BoardState> Join(string table)
        {
            await socket.JoinAsync(table);
            _table = table;
            return game._tables.GetOrAdd(table, _ => new Board()).State(table);
        }

        public Task<string> Move(int cell)
        {
            if (_table is not { } table || !game._tables.TryGetValue(table, out var board))
            {
                throw new SocketHandlerException("join a table first");
            }

            var error = board.Play(cell);
            if (error is not null)
            {
                throw new SocketHandlerException(error);
            }

            socket.Namespace.To(table).Client.Board(board.State(table));
            return Task.FromResult("ok");
        }
    }

    private sealed class Board
    {
        private readonly string?[] _cells = new string?[9];
        private int _moves;

        public string? Play(int cell)
        {
            lock (_cells)
            {
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
/// <c>/gameB</c>: dice at tables (rooms), through <see cref="IDiceServer"/>. <c>join</c> a table,
/// then <c>roll</c>; everyone at the table gets <c>rolled</c> with who rolled what.
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
        DiceContract.Serve(backend, socket => new Player(socket));
    }

    private sealed class Player(ContractSocket<IDiceClient> socket) : IDiceServer
    {
        private volatile string? _table;

        public async Task<string> Join(string table)
        {
            await socket.JoinAsync(table);
            _table = table;
            return table;
        }

        public Task<int> Roll()
        {
            var table = _table ?? throw new SocketHandlerException("join a table first");
            var value = Random.Shared.Next(1, 7);
            socket.Namespace.To(table).Client.Rolled(new DiceRoll(socket.Id, value));
            return Task.FromResult(value);
        }
    }
}
