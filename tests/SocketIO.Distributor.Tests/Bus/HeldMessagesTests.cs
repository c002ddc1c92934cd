using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Tests.Bus;

/// <summary>The outage buffer's order: publish order on each channel, whatever order messages are held in.</summary>
public sealed class HeldMessagesTests
{
    [Fact]
    public void Messages_held_again_go_in_front_of_their_channels_later_messages_in_publish_order()
    {
        var held = new HeldMessages();

        // Held during the outage: a:5, b:6, a:7 (tickets 5..7); a:1, b:2, a:3 were sent before it was noticed.
        held.Add(Message("a", 5));
        held.Add(Message("b", 6));
        held.Add(Message("a", 7));

        // Their answers come back in publish order, each "nobody received it" on the new connection.
        held.AddInOrder(Message("a", 1));
        held.AddInOrder(Message("b", 2));
        held.AddInOrder(Message("a", 3));

        Assert.Equal(["a1", "a3", "a5", "b2", "b6", "a7"], Drain(held));
        Assert.Equal(0, held.Bytes);
    }

    [Fact]
    public void A_message_held_again_with_nothing_later_on_its_channel_goes_last()
    {
        var held = new HeldMessages();
        held.Add(Message("a", 5));
        held.AddInOrder(Message("b", 2));
        held.AddInOrder(Message("a", 6));

        Assert.Equal(["a5", "b2", "a6"], Drain(held));
    }

    [Fact]
    public void Messages_put_back_return_to_the_head_in_their_order_and_bytes_are_counted()
    {
        var held = new HeldMessages();
        held.Add(Message("a", 1));
        held.Add(Message("a", 2));
        held.Add(Message("a", 3));
        Assert.Equal(6, held.Bytes);

        Assert.True(held.TryTakeFirst(out var first));
        Assert.True(held.TryTakeFirst(out var second));
        Assert.Equal(2, held.Bytes);
        held.PutBack([first, second]);

        Assert.Equal(6, held.Bytes);
        Assert.Equal(["a1", "a2", "a3"], Drain(held));
        Assert.False(held.TryTakeFirst(out _));
    }

    [Fact]
    public void Clear_returns_how_many_were_dropped()
    {
        var held = new HeldMessages();
        held.Add(Message("a", 1));
        held.AddInOrder(Message("b", 2));

        Assert.Equal(2, held.Clear());
        Assert.Equal(0, held.Count);
        Assert.Equal(0, held.Bytes);
    }

    private static HeldMessage Message(string channel, long ticket) => new(channel, [1, 2], ticket);

    private static List<string> Drain(HeldMessages held)
    {
        var order = new List<string>();
        while (held.TryTakeFirst(out var message))
        {
            order.Add(message.Channel + message.Ticket);
        }

        return order;
    }
}
