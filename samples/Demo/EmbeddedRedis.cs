using System.Net;
using System.Net.Sockets;
using Garnet;
using Garnet.server;

namespace SocketIO.Distributor.Demo;

/// <summary>
/// An in-process RESP server (Microsoft Garnet), so the demo and samples need no install. For
/// production use a real Redis: Garnet keeps a little memory for every channel ever subscribed.
/// </summary>
public sealed class EmbeddedRedis : IDisposable
{
    private readonly GarnetServer _server;

    /// <summary>Starts the server on <paramref name="address"/>:<paramref name="port"/> (port 0: a free loopback port).</summary>
    /// <param name="port">The port, or 0 for a free one.</param>
    /// <param name="address">The address to bind; loopback by default.</param>
    public EmbeddedRedis(int port = 0, IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        if (port == 0)
        {
            using var probe = new TcpListener(address, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Port = port;
        Address = address;
        _server = new GarnetServer(new GarnetServerOptions
        {
            EndPoints = [new IPEndPoint(address, port)],
            QuietMode = true,
        });
        _server.Start();
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The address it listens on.</summary>
    public IPAddress Address { get; }

    /// <summary>A StackExchange.Redis connection string for it.</summary>
    public string ConnectionString => $"{(Address.Equals(IPAddress.Any) ? IPAddress.Loopback : Address)}:{Port}";

    /// <inheritdoc />
    public void Dispose() => _server.Dispose();
}
