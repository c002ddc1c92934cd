using System.Threading.Channels;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Backend;

/// <summary>
/// The backend's inbox pipeline: a message is decoded and handed to its socket's queue (which runs
/// handlers on the thread pool), so a slow or blocking handler delays only its own socket. Under load
/// StackExchange.Redis's delivery loop only puts each message into a bounded channel (which is what
/// fills, and overflows with <c>BACKEND_OVERLOADED</c>, when the backend cannot keep up) and the
/// backend's own loop takes it from there. A client packet (the hot path: it is only decoded and handed
/// to its socket's queue, no app code runs) is handled in place on the delivery loop when nothing waits,
/// neither in that channel nor behind it in StackExchange.Redis's queue: one thread hop less per request
/// at light load, in the same order (one item at a time, <see cref="_pipelineTurn"/>). Other messages
/// (a CONNECT may run the app's dynamic namespace check) always go through the channel, so a pipeline
/// blocked by one fills the bounded channel, never StackExchange.Redis's unbounded queue. It also
/// counts what Redis dropped (gaps in the distributors' numbers) and reports how far it has handled
/// each distributor's messages (<see cref="InboxProgress"/>).
/// </summary>
public sealed partial class SocketIOBackend
{
    private readonly SequenceGaps _gaps = new();
    private readonly InboxProgressTracker _progress = new();
    private HandlerQueue? _customQueue;
    private Channel<InboxItem>? _pipeline;
    private Task? _pipelineLoop;
    private readonly Lock _progressGate = new();
    private ITimer? _progressTimer;
    private int _progressArmed;
    private long _lastDelivery;
    private long _pipelinePending;
    private volatile bool _pipelineOpen;

    /// <summary>Held while an item is handled, by the pipeline loop or in place: items are handled one at a time.</summary>
    private readonly SemaphoreSlim _pipelineTurn = new(1, 1);

    /// <summary>Custom message handlers run here, in order, off the pipeline loop; bounded.</summary>
    private HandlerQueue CustomHandlers => LazyInitializer.EnsureInitialized(
        ref _customQueue,
        () => new HandlerQueue(10_000, static (ex, logger) => BackendLog.QueueItemFailed((Microsoft.Extensions.Logging.ILogger)logger!, ex, "custom messages"), _logger));

    /// <summary>What this backend lost or refused since it started.</summary>
    public BackendStatistics Statistics { get; } = new();

    /// <summary>The distributors that sent this backend a CONNECT (see <see cref="IsLiveDistributor"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _distributorsHeard = new(StringComparer.Ordinal);

    private void StartPipeline()
    {
        var pipeline = Channel.CreateBounded<InboxItem>(new BoundedChannelOptions(Options.InboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pipeline = pipeline;
        _pipelineOpen = true;
        _pipelineLoop = RunPipelineAsync(pipeline.Reader);
        // Armed only while there is progress to report (ArmProgressReport): an idle backend does not wake up for it.
        _progressTimer = Time.CreateTimer(static state => ((SocketIOBackend)state!).ReportProgress(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A numbered message arrived: the progress report runs one interval from now (if not already due).</summary>
    private void ArmProgressReport()
    {
        if (Volatile.Read(ref _progressArmed) != 0 || Interlocked.Exchange(ref _progressArmed, 1) != 0)
        {
            return;
        }

        lock (_progressGate)
        {
            _progressTimer?.Change(Options.ProgressInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Ends the pipeline once what it holds is handled.</summary>
    private async Task StopPipelineAsync()
    {
        lock (_progressGate)
        {
            _progressTimer?.Dispose();
        }

        _pipelineOpen = false;
        _pipeline?.Writer.TryComplete();
        if (_pipelineLoop is not null)
        {
            await _pipelineLoop.ConfigureAwait(false);
        }

        (_pipeline, _pipelineLoop, _progressTimer) = (null, null, null);
    }

    /// <summary>A message on this backend's inbox, on Redis's delivery loop.</summary>
    private void OnInboxDelivered(ReadOnlyMemory<byte> bytes, int waiting) => Offer(new InboxItem(bytes, FromAll: false), waiting);

    /// <summary>A message on the all channel, on Redis's delivery loop.</summary>
    private void OnAllDelivered(ReadOnlyMemory<byte> bytes, int waiting) => Offer(new InboxItem(bytes, FromAll: true), waiting);

    /// <summary>
    /// Handles a client packet in place when nothing else is pending or waiting behind it in Redis's queue
    /// (<paramref name="waiting"/>), else puts it into the bounded channel for the pipeline loop.
    /// </summary>
    private void Offer(InboxItem item, int waiting)
    {
        Volatile.Write(ref _lastDelivery, System.Diagnostics.Stopwatch.GetTimestamp());
        // Pending 1 is this item alone: the channel is empty and no item is being handled.
        if (Interlocked.Increment(ref _pipelinePending) == 1
            && waiting == 0
            && _pipelineOpen
            && BusMessage.PeekType(item.Bytes.Span) == BusMessageType.ClientPacket
            && _pipelineTurn.Wait(0))
        {
            try
            {
                Handle(item);
            }
            finally
            {
                Interlocked.Decrement(ref _pipelinePending);
                _pipelineTurn.Release();
            }

            return;
        }

        if (_pipeline?.Writer.TryWrite(item) != true)
        {
            Interlocked.Decrement(ref _pipelinePending);
            OnInboxFull(item);
        }
    }

    private async Task RunPipelineAsync(ChannelReader<InboxItem> reader)
    {
        await foreach (var item in reader.ReadAllAsync().ConfigureAwait(false))
        {
            await _pipelineTurn.WaitAsync().ConfigureAwait(false);
            try
            {
                Handle(item);
            }
            finally
            {
                Interlocked.Decrement(ref _pipelinePending);
                _pipelineTurn.Release();
            }
        }
    }

    private void Handle(InboxItem item)
    {
        try
        {
            if (item.FromAll)
            {
                OnAllMessage(item.Bytes);
            }
            else
            {
                OnInboxMessage(item.Bytes);
            }
        }
        catch (Exception ex)
        {
            // A throwing handler of one message takes nothing else down.
            BackendMetrics.HandlerErrors.Add(1);
            BackendLog.InboxMessageFailed(_logger, ex);
        }
    }

    /// <summary>
    /// Overflow policy: the message is dropped and counted (a warning at the first and every 1,000th);
    /// a client event with an ack id is answered with a <c>BACKEND_OVERLOADED</c> error ack.
    /// </summary>
    private void OnInboxFull(InboxItem item)
    {
        BackendMetrics.InboxOverflows.Add(1);
        var total = Statistics.OnInboxOverflow();
        if (total == 1 || total % 1000 == 0)
        {
            BackendLog.InboxFull(_logger, Options.InboxCapacity, total);
        }

        if (item.FromAll || _router is not { } router || !TryDecode(item.Bytes, router.Inbox, out var message))
        {
            return;
        }

        if (message is DepartureSeen seen)
        {
            // Handled in place: the drain also waits for what is still in the pipeline.
            OnDepartureSeen(seen);
            return;
        }

        if (message is ClientPacket packet
            && _sockets.TryGetValue(packet.SocketId, out var socket)
            && SocketPacketParser.Parse(packet.Packet, out var parsed) == DecodeError.None
            && parsed.Type is SocketPacketType.Event or SocketPacketType.BinaryEvent)
        {
            socket.RefuseEvent(parsed.AckId, BackendSocket.BackendOverloaded);
        }
    }

    /// <summary>
    /// Counts gaps in a distributor's numbers and records the message as in flight; returns the action
    /// that marks it handled (null when it is not numbered).
    /// </summary>
    private Action? Track(string senderId, ulong sequence)
    {
        if (sequence == 0 || string.IsNullOrEmpty(senderId))
        {
            return null;
        }

        var missing = _gaps.Observe(senderId, _router?.Inbox ?? string.Empty, sequence);
        if (missing > 0)
        {
            Statistics.OnMessagesLost((long)missing);
            BackendMetrics.MessagesLost.Add((long)missing);
            BackendLog.MessagesLost(_logger, (long)missing, senderId, _router?.Inbox ?? string.Empty);
        }

        _progress.Received(senderId, sequence);
        ArmProgressReport();
        return () => _progress.Handled(senderId, sequence);
    }

    /// <summary>Marks a tracked message handled once its socket's queue gets past it (at once when there is no socket).</summary>
    private static void HandledAfter(BackendSocket? socket, Action? handled)
    {
        if (handled is null)
        {
            return;
        }

        if (socket is null || !socket.Enqueue(
            () =>
            {
                handled();
                return Task.CompletedTask;
            },
            force: true))
        {
            handled();
        }
    }

    /// <summary>
    /// Tells each distributor whose watermark moved how far this backend has handled its messages; runs
    /// again one interval later while messages are still in flight, and stops when all is reported.
    /// </summary>
    private void ReportProgress()
    {
        // Disarmed first: a message that arrives from here on arms the next report itself.
        Volatile.Write(ref _progressArmed, 0);
        try
        {
            if (_router is not { } router)
            {
                return;
            }

            // Read before the reports are taken: what is handled after them is reported at the next run.
            var inFlight = _progress.HasInFlight;
            foreach (var (distributorId, through) in _progress.TakeReports())
            {
                router.Publish(router.Channels.Distributor(distributorId), new InboxProgress(Id, through));
            }

            if (inFlight)
            {
                // Handled later: the watermark moves then, and is reported at the next run.
                ArmProgressReport();
            }
        }
        catch (InvalidOperationException ex)
        {
            // Stopping meanwhile.
            BackendLog.InboxMessageFailed(_logger, ex);
        }
    }

    private readonly record struct InboxItem(ReadOnlyMemory<byte> Bytes, bool FromAll);
}
