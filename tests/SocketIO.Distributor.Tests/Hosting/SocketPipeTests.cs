using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using SocketIO.Distributor.Hosting;

namespace SocketIO.Distributor.Tests.Hosting;

/// <summary>
/// The bare transport's pipes on a real loopback connection whose buffers are small, so the socket is
/// full most of the time: every write arrives once, in order, and no flush is left waiting (the pause
/// threshold's wake-ups are exercised thousands of times).
/// </summary>
public sealed class SocketPipeTests
{
    private static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(10);

    /// <summary>A flush per record (as a WebSocket flushes each frame), and one per burst of 50 records.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    public async Task Writes_in_bursts_larger_than_the_pause_threshold_to_a_slow_reader_all_arrive_in_order(int recordsPerFlush)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var served = await listener.AcceptAsync();
        served.SendBufferSize = 4096;
        var pipe = new SocketPipe(served);

        const int Records = 40_000;
        var random = new Random(7);
        var sizes = Enumerable.Range(0, Records).Select(_ => random.Next(8, 600)).ToArray();
        var expectedBytes = sizes.Sum();

        var reading = Task.Run(() => ReadAllAsync(client, sizes));
        long flushesThatWaited = 0;
        for (var i = 0; i < Records; i++)
        {
            var span = pipe.Output.GetSpan(sizes[i]);
            Fill(span[..sizes[i]], i);
            pipe.Output.Advance(sizes[i]);
            if (i % recordsPerFlush == recordsPerFlush - 1 || i == Records - 1)
            {
                // A burst of records, then a flush: the bursts go over the pause threshold while the reader lags.
                var flush = pipe.Output.FlushAsync();
                if (!flush.IsCompleted)
                {
                    flushesThatWaited++;
                }

                var result = await flush.AsTask().WaitAsync(FlushLimit);
                Assert.False(result.IsCompleted, $"the writer was completed by a failure at record {i}");
            }
        }

        var received = await reading.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(expectedBytes, received);
        Assert.True(flushesThatWaited > 0, "no flush waited: the test did not reach the pause threshold");
        await pipe.Output.CompleteAsync();
        await pipe.Input.CompleteAsync();
    }

    /// <summary>Record i: its index (4 bytes) then bytes (i + k) mod 251.</summary>
    private static void Fill(Span<byte> record, int index)
    {
        BinaryPrimitives.WriteInt32LittleEndian(record, index);
        for (var k = 4; k < record.Length; k++)
        {
            record[k] = (byte)((index + k) % 251);
        }
    }

    /// <summary>Reads in small pieces and checks each record; returns how many bytes arrived.</summary>
    private static async Task<int> ReadAllAsync(Socket client, int[] sizes)
    {
        var expected = new byte[sizes.Max()];
        var piece = new byte[1500];
        var record = 0;
        var offsetInRecord = 0;
        var total = 0;
        var goal = sizes.Sum();
        while (total < goal)
        {
            var n = await client.ReceiveAsync(piece, SocketFlags.None);
            Assert.True(n > 0, $"the connection ended after {total} of {goal} bytes");
            for (var i = 0; i < n; i++)
            {
                if (offsetInRecord == 0)
                {
                    Fill(expected.AsSpan(0, sizes[record]), record);
                }

                Assert.True(expected[offsetInRecord] == piece[i], $"byte {offsetInRecord} of record {record} differs");
                if (++offsetInRecord == sizes[record])
                {
                    record++;
                    offsetInRecord = 0;
                }
            }

            total += n;
        }

        return total;
    }
}
