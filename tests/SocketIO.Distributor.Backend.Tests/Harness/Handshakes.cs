namespace SocketIO.Distributor.Backend.Tests.Harness;

/// <summary>Handshake JSON as a distributor sends it.</summary>
internal static class Handshakes
{
    public const string Default =
        """{"headers":{"user-agent":"test","x-forwarded-for":["10.0.0.1","10.0.0.2"]},"query":{"EIO":"4","transport":"websocket"},"auth":{},"address":"127.0.0.1","url":"/socket.io/?EIO=4&transport=websocket","secure":false,"issued":1700000000000,"time":"2023-11-14T22:13:20.000Z","xdomain":false,"extra":null}""";

    public static string WithAuth(string authJson, string extraJson = "null") =>
        $$"""{"headers":{"user-agent":"test"},"query":{"room":"lobby"},"auth":{{authJson}},"address":"10.1.2.3","url":"/socket.io/?EIO=4&transport=websocket&room=lobby","secure":true,"issued":1700000000000,"time":"2023-11-14T22:13:20.000Z","xdomain":false,"extra":{{extraJson}}}""";
}
