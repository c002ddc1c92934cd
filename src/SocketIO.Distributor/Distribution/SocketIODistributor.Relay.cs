namespace SocketIO.Distributor.Distribution;

/// <summary>No sticky sessions: requests for sessions another distributor holds are relayed there (<see cref="SessionRelay"/>).</summary>
public sealed partial class SocketIODistributor
{
    private SessionRelay? _relay;

    private async Task StartRelayAsync()
    {
        _relay = new SessionRelay(this);
        await _relay.StartAsync();
    }

    private async Task StopRelayAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
            _relay = null;
        }
    }
}
