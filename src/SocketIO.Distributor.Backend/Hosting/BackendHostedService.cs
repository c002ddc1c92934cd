using Microsoft.Extensions.Hosting;

namespace SocketIO.Distributor.Backend.Hosting;

/// <summary>
/// Starts the backend with the host and stops it when the host stops (SIGTERM): it drains, so its
/// sockets move to another replica without a client-visible disconnect (see <see cref="SocketIOBackend.StopAsync"/>).
/// </summary>
/// <param name="backend">The backend.</param>
internal sealed class BackendHostedService(SocketIOBackend backend) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => backend.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => backend.StopAsync();
}
