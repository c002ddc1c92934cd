using System.Text;

namespace SocketIO.Distributor.Protocol.Tests.Fuzzing;

/// <summary>Valid inputs for each decoder, taken from the protocol documents: the seeds the fuzzer mutates.</summary>
internal static class WireSamples
{
    /// <summary>Socket.IO packets as they appear in the socket.io-protocol document and parser tests.</summary>
    public static IReadOnlyList<byte[]> SocketPackets { get; } = Utf8(
        "0",
        "0/admin,{\"token\":\"123\"}",
        "0{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}",
        "0/chat?token=1,",
        "1/admin,",
        "1",
        "2[\"hello\",1]",
        "2/admin,456[\"project:delete\",123]",
        "2[1,\"a\",{}]",
        "21[\"a\",1,{}]",
        "2[\"a \\\"quoted\\\" name\",[1,[2,[3]]],{\"k\":null,\"t\":true,\"f\":1.5e3}]",
        "2[\"caf\\u00e9 😀\",\"€\"]",
        "3/admin,456[]",
        "3123[\"a\",1,{}]",
        "4{\"message\":\"Not authorized\"}",
        "4\"Unauthorized\"",
        "51-[\"hello\",{\"_placeholder\":true,\"num\":0}]",
        "52-/admin,7[\"upload\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
        "61-/admin,456[{\"_placeholder\":true,\"num\":0}]");

    /// <summary>EVENT payloads (the JSON after the packet header).</summary>
    public static IReadOnlyList<byte[]> EventPayloads { get; } = Utf8(
        "[\"hello\",1]",
        "[\"project:delete\",123]",
        "[1,\"a\",{}]",
        "[\"a\"]",
        "[ \"spaced\" , 1 , \"x\" ]",
        "[\"esc\\\"aped\\u00e9\",{\"_placeholder\":true,\"num\":0}]",
        "[\"😀\",[[[]]],null]");

    /// <summary>Engine.IO text frames (a WebSocket text message each).</summary>
    public static IReadOnlyList<byte[]> EngineTextFrames { get; } = Utf8(
        "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":5000,\"maxPayload\":1000000}",
        "1", "2", "3", "2probe", "3probe", "4hello", "4€😀", "5", "6",
        "42[\"hello\",1]");

    /// <summary>Engine.IO binary frames: EIO4 raw data, EIO3 type byte then data.</summary>
    public static IReadOnlyList<byte[]> EngineBinaryFrames { get; } =
    [
        [1, 2, 3, 4],
        [4, 1, 2, 3],
        [4],
        [0xff, 0x00, 0x1e],
    ];

    /// <summary>EIO4 polling payloads.</summary>
    public static IReadOnlyList<byte[]> PollingV4Payloads { get; } = Utf8(
        "4hello\u001ebAQIDBA==\u001e4world",
        "4hello\u001ebAQID",
        "4hello\u001e4€€€",
        "2probe\u001e4hello\u001e1",
        "40/admin,{\"token\":\"123\"}\u001e42[\"a\"]",
        "b",
        "6");

    /// <summary>EIO3 text polling payloads.</summary>
    public static IReadOnlyList<byte[]> PollingV3TextPayloads { get; } = Utf8(
        "6:4hello4:4€€€",
        "6:4hello2:4€",
        "3:4😀6:b4AQID",
        "10:b4AQIDBA==",
        "1:2",
        "13:42[\"hello\",1]1:6");

    /// <summary>EIO3 binary (XHR2) polling payloads.</summary>
    public static IReadOnlyList<byte[]> PollingV3BinaryPayloads { get; } =
    [
        [0x00, 0x06, 0xff, .. "4hello"u8, 0x01, 0x04, 0xff, 0x04, 0x01, 0x02, 0x03],
        [0x00, 0x01, 0xff, (byte)'2'],
        [0x01, 0x01, 0xff, 0x04],
        [0x00, 0x02, 0x08, 0xff, .. "4€€€€€€€€€"u8, 0x00, 0x01, 0xff, (byte)'6'],
    ];

    private static byte[][] Utf8(params string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];
}
