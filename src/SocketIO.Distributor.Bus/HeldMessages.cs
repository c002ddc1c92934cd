namespace SocketIO.Distributor.Bus;

/// <summary>A publish held during a Redis outage: its channel, its bytes, and its place in this process's publish order.</summary>
/// <param name="Channel">The bus channel.</param>
/// <param name="Message">The encoded message.</param>
/// <param name="Ticket">When it was published, among every publish of this bus (larger: later).</param>
internal readonly record struct HeldMessage(string Channel, byte[] Message, long Ticket);

/// <summary>
/// The outage buffer's messages in the order they go out: publish order on each channel. Most arrive in
/// that order (held as they are published); a publish that was sent before the outage was noticed and
/// reached nobody on the new connection is held again later, and goes in front of its channel's messages
/// published after it (<see cref="AddInOrder"/>), so a receiver never sees a channel's stream step back.
/// Not thread-safe: the bus uses it under its outage lock.
/// </summary>
internal sealed class HeldMessages
{
    private readonly LinkedList<HeldMessage> _messages = new();

    /// <summary>How many messages are held.</summary>
    public int Count => _messages.Count;

    /// <summary>The bytes of the held messages.</summary>
    public long Bytes { get; private set; }

    /// <summary>Holds a message published now (after everything held so far).</summary>
    public void Add(HeldMessage message)
    {
        _messages.AddLast(message);
        Bytes += message.Message.Length;
    }

    /// <summary>
    /// Holds a message published earlier than some already held: in front of the first message of its
    /// channel published after it (by ticket), else at the end.
    /// </summary>
    public void AddInOrder(HeldMessage message)
    {
        Bytes += message.Message.Length;
        LinkedListNode<HeldMessage>? before = null;

        // From the end: messages held again arrive in publish order, so the place is near the last one held again.
        for (var node = _messages.Last; node is not null; node = node.Previous)
        {
            if (!string.Equals(node.Value.Channel, message.Channel, StringComparison.Ordinal))
            {
                continue;
            }

            if (node.Value.Ticket < message.Ticket)
            {
                break;
            }

            before = node;
        }

        if (before is null)
        {
            _messages.AddLast(message);
        }
        else
        {
            _messages.AddBefore(before, message);
        }
    }

    /// <summary>Takes the first message.</summary>
    public bool TryTakeFirst(out HeldMessage message)
    {
        if (_messages.First is not { } first)
        {
            message = default;
            return false;
        }

        message = first.Value;
        _messages.RemoveFirst();
        Bytes -= message.Message.Length;
        return true;
    }

    /// <summary>Puts messages taken with <see cref="TryTakeFirst"/> back at the head, in their order.</summary>
    public void PutBack(IReadOnlyList<HeldMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            _messages.AddFirst(messages[i]);
            Bytes += messages[i].Message.Length;
        }
    }

    /// <summary>Drops every message; returns how many there were.</summary>
    public int Clear()
    {
        var count = _messages.Count;
        _messages.Clear();
        Bytes = 0;
        return count;
    }
}
