// The floor of bench/run: the least a .NET server of the bench's protocol spends, to set beside the setups.
// One process listens on every --ports port (so a broadcast reaches the clients of both, as the two processes
// of a setup do through Redis, without Redis). It speaks just enough Engine.IO v4 / Socket.IO v5 over
// WebSocket for LoadGen's and nodegen's /bench namespace: echo (acked), join (acked), fire → "tick" to a room
// or to all. Each connection is read by an awaited Socket.ReceiveAsync (.NET's epoll thread and thread pool,
// as Kestrel's are), and every frame is sent with one blocking Socket.Send on the thread that decided it: no
// queue, no buffer copy per client (a broadcast's frame is built once), no heartbeat, no slow-client handling.
// Usage: dotnet FloorPeer.dll --ports P1,P2
// GET /bench-stats[?gc=1] → {"heap": managed heap bytes (after a full GC with gc=1), "role": "floor"}.
using System.Net;
using System.Net.Sockets;
using SocketIO.Distributor.Bench.Floor;

var portsArg = args.SkipWhile(a => a != "--ports").Skip(1).FirstOrDefault()
    ?? throw new ArgumentException("--ports P1,P2 is required (the loopback ports to listen on)");
var server = new FloorServer();
var loops = new List<Task>();
foreach (var port in portsArg.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
{
    var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
    listener.Listen(4096);
    loops.Add(server.AcceptAsync(listener));
}

Console.WriteLine($"floor listening on 127.0.0.1:{portsArg}");
await Task.WhenAll(loops).ConfigureAwait(false);
