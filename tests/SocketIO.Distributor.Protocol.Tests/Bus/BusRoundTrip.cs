using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>The two checks every bus message type gets: it round-trips, and a cut-off copy is a format error.</summary>
internal static class BusRoundTrip
{
    /// <summary>Encodes, decodes and encodes again: the same type and the same bytes.</summary>
    public static void AssertSameBytes(IBusMessage message)
    {
        var bytes = message.Encode();

        var decoded = BusMessage.Decode(bytes);

        Assert.Equal(message.GetType(), decoded.GetType());
        Assert.Equal(bytes, decoded.Encode());
    }

    /// <summary>Decodes every prefix of the message: each either decodes or throws <see cref="BusFormatException"/>, never anything else.</summary>
    public static void AssertPrefixesAreFormatErrors(IBusMessage message)
    {
        var bytes = message.Encode();
        for (var length = 0; length < bytes.Length; length++)
        {
            try
            {
                BusMessage.Decode(bytes.AsMemory(0, length));
            }
            catch (BusFormatException)
            {
                // Expected for most prefixes; some prefixes are complete messages of an older layout.
            }
        }
    }
}
