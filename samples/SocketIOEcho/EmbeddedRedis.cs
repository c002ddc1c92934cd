using System.Net;
using System.Net.Sockets;
using Garnet;
using Garnet.server;

namespace SocketIOEcho;

/// <summary>An in-process RESP server (Microsoft Garnet) on a free loopback port, so the sample needs no install.</summary>
internal sealed class EmbeddedRedis : IDisposable
{
    private readonly GarnetServer _server;

    public EmbeddedRedis()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _server = new GarnetServer(new GarnetServerOptions
        {
            EndPoints = [new IPEndPoint(IPAddress.Loopback, Port)],
            QuietMode = true,
        });
        _server.Start();
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public void Dispose() => _server.Dispose();
}
