using Microsoft.Extensions.Hosting;

namespace SocketIO.Distributor.Backend.Hosting;

/// <summary>Starts the backend with the host and stops it (leaving the cluster) when the host stops.</summary>
/// <param name="backend">The backend.</param>
internal sealed class BackendHostedService(SocketIOBackend backend) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => backend.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => backend.StopAsync();
}
