using System.Collections.Immutable;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// The event handlers of one socket, kept as one small immutable array of (event, handlers) slots instead
/// of an <see cref="ImmutableDictionary{TKey, TValue}"/>: a socket has a handful of events, and the dictionary's
/// tree nodes cost each socket ~0.2 KB more for the life of the connection. Replaced whole on every change
/// (<see cref="ImmutableInterlocked.Update{T}(ref T, Func{T, T})"/>), read without a lock; look-ups are linear.
/// </summary>
public sealed partial class BackendSocket
{
    private HandlerSlot[] _handlers = [];

    /// <summary>The handlers of <paramref name="ev"/>, in the order they were added.</summary>
    private static bool TryGetHandlers(HandlerSlot[] table, string ev, out ImmutableArray<EventHandlerEntry> handlers)
    {
        foreach (var slot in table)
        {
            if (string.Equals(slot.Event, ev, StringComparison.Ordinal))
            {
                handlers = slot.Handlers;
                return true;
            }
        }

        handlers = default;
        return false;
    }

    /// <summary>A copy of <paramref name="table"/> where <paramref name="ev"/> has <paramref name="handlers"/> (none: the event goes).</summary>
    private static HandlerSlot[] WithHandlers(HandlerSlot[] table, string ev, ImmutableArray<EventHandlerEntry> handlers)
    {
        var index = Array.FindIndex(table, slot => string.Equals(slot.Event, ev, StringComparison.Ordinal));
        if (handlers.IsDefaultOrEmpty)
        {
            if (index < 0)
            {
                return table;
            }

            var rest = new HandlerSlot[table.Length - 1];
            Array.Copy(table, 0, rest, 0, index);
            Array.Copy(table, index + 1, rest, index, table.Length - index - 1);
            return rest;
        }

        if (index >= 0)
        {
            var changed = (HandlerSlot[])table.Clone();
            changed[index] = new HandlerSlot(ev, handlers);
            return changed;
        }

        var added = new HandlerSlot[table.Length + 1];
        Array.Copy(table, added, table.Length);
        added[^1] = new HandlerSlot(ev, handlers);
        return added;
    }

    /// <summary>One event's handlers.</summary>
    private readonly record struct HandlerSlot(string Event, ImmutableArray<EventHandlerEntry> Handlers);
}
