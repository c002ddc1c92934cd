using System.Text;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.EngineIO;

namespace SocketIO.Distributor.Protocol.Tests.Bus;

/// <summary>Connection state recovery on the wire: offsets in events, replay entries, and ConnectResult's appended fields.</summary>
public sealed class RecoveryMessageTests
{
    [Fact]
    public void An_offset_is_appended_as_the_last_argument_and_found_and_stripped_again()
    {
        var json = RecoveryOffset.AppendTo("[\"chat\",{\"a\":[1,2]}]"u8, RecoveryOffset.Format(1_800_000_000_000_123, "b-1_x"));
        Assert.Equal("[\"chat\",{\"a\":[1,2]},\"1800000000000123-b-1_x\"]", Encoding.UTF8.GetString(json));

        var frame = Encoding.UTF8.GetBytes("42/chat," + Encoding.UTF8.GetString(json));
        Assert.Equal("1800000000000123-b-1_x", RecoveryOffset.Find(frame));
        Assert.True(RecoveryOffset.TryScore(RecoveryOffset.Find(frame), out var score));
        Assert.Equal(1_800_000_000_000_123, score);
        Assert.Equal("42/chat,[\"chat\",{\"a\":[1,2]}]", Encoding.UTF8.GetString(RecoveryOffset.Strip(frame).Span));
    }

    [Theory]
    [InlineData("42[\"chat\",\"hello\"]")]
    [InlineData("42[\"chat\",\"12-\"]")]
    [InlineData("42[\"chat\",\"-12\"]")]
    [InlineData("42[\"chat\",\"1x-a\"]")]
    [InlineData("42[\"chat\"]")]
    [InlineData("43[1]")]
    [InlineData("")]
    public void A_frame_without_an_offset_has_none_and_is_not_stripped(string text)
    {
        var frame = Encoding.UTF8.GetBytes(text);
        Assert.Null(RecoveryOffset.Find(frame));
        Assert.Equal(text, Encoding.UTF8.GetString(RecoveryOffset.Strip(frame).Span));
    }

    [Fact]
    public void A_replay_entry_round_trips_and_targets_by_rooms_and_except()
    {
        EngineFrame[] frames = [new("42[\"n\",1,\"5-b\"]"u8.ToArray(), false)];
        var entry = (ReplayEntry)BusMessage.Decode(new ReplayEntry("5-b", ["r1", "r2"], ["x"], frames).Encode());
        Assert.Equal("5-b", entry.Offset);
        Assert.Equal(["r1", "r2"], entry.Rooms);
        Assert.Equal(["x"], entry.Except);
        Assert.Equal(frames[0].Bytes.ToArray(), entry.Frames[0].Bytes.ToArray());

        Assert.True(entry.Targets(new HashSet<string> { "s1", "r2" }));
        Assert.False(entry.Targets(new HashSet<string> { "s1", "r3" }));
        Assert.False(entry.Targets(new HashSet<string> { "s1", "r1", "x" }));
        Assert.True(new ReplayEntry("6-b", [], [], frames).Targets(new HashSet<string> { "s1" }));
        Assert.False(new ReplayEntry("6-b", [], ["s1"], frames).Targets(new HashSet<string> { "s1" }));
    }

    [Fact]
    public void ConnectResult_appends_pid_rooms_and_replay_offset_and_an_old_reader_layout_still_decodes()
    {
        var restored = (ConnectResult)BusMessage.Decode(new ConnectResult("d1.a", "b1", true, ReadOnlyMemory<byte>.Empty, "d1.a~b1~s", ["d1.a", "r"], "7-b1").Encode());
        Assert.Equal("d1.a~b1~s", restored.Pid);
        Assert.Equal(["d1.a", "r"], restored.Rooms);
        Assert.True(restored.Restored);

        // What an older backend writes: the first four fields only.
        var writer = new BusWriter(BusMessageType.ConnectResult);
        writer.WriteString("d1.a");
        writer.WriteString("b1");
        writer.WriteBool(true);
        writer.WriteBytes([]);
        var old = (ConnectResult)BusMessage.Decode(writer.ToArray());
        Assert.Equal(string.Empty, old.Pid);
        Assert.False(old.Restored);
    }

    [Fact]
    public void ConnectResult_appends_renewId_after_the_recovery_fields_and_a_result_without_it_does_not_renew()
    {
        var refused = (ConnectResult)BusMessage.Decode(new ConnectResult("d1.a", "b1", false, "{\"message\":\"x\"}"u8.ToArray(), RenewId: true).Encode());
        Assert.True(refused.RenewId);
        Assert.False(refused.Accepted);
        Assert.Equal("{\"message\":\"x\"}", Encoding.UTF8.GetString(refused.ErrorJson.Span));

        // What a backend before renewId writes: the recovery fields, nothing after them.
        var writer = new BusWriter(BusMessageType.ConnectResult);
        writer.WriteString("d1.a");
        writer.WriteString("b1");
        writer.WriteBool(false);
        writer.WriteBytes([]);
        writer.WriteString(string.Empty);
        writer.WriteStrings([]);
        writer.WriteString(string.Empty);
        Assert.False(((ConnectResult)BusMessage.Decode(writer.ToArray())).RenewId);
    }
}
