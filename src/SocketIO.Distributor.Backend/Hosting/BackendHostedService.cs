using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketIO.Distributor.Bus;

namespace SocketIO.Distributor.Backend.Hosting;

/// <summary>
/// Starts the backend with the host and stops it when the host stops (SIGTERM): it drains, so its
/// sockets move to another replica without a client-visible disconnect (see <see cref="SocketIOBackend.StopAsync"/>).
/// </summary>
/// <param name="backend">The backend.</param>
/// <param name="options">Its options (<see cref="BackendOptions.TrimMemoryWhenQuiet"/>).</param>
/// <param name="loggers">For the memory trim's log.</param>
/// <param name="time">The clock, if the app registered one.</param>
internal sealed class BackendHostedService(SocketIOBackend backend, IOptions<BackendOptions> options, ILoggerFactory loggers, TimeProvider? time = null) : IHostedService
{
    private QuietMemoryTrim? _trim;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await backend.StartAsync(cancellationToken);
        _trim = QuietMemoryTrim.StartIf(options.Value.TrimMemoryWhenQuiet, time, loggers);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _trim?.Dispose();
        return backend.StopAsync();
    }
}
