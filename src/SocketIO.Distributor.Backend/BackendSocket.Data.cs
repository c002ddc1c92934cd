using SocketIO.Distributor.Protocol.Bus;

namespace SocketIO.Distributor.Backend;

/// <summary>The socket's data travels to its distributor, which keeps a copy for remote fetches and for the next replica.</summary>
public sealed partial class BackendSocket
{
    private int _dataDirty;

    /// <summary>
    /// A write to <see cref="Data"/>: the whole data is sent to the distributor once the writes of this moment are
    /// done (on the thread pool), so that several writes in a row cost one bus message.
    /// </summary>
    private void OnDataChanged()
    {
        if (Interlocked.Exchange(ref _dataDirty, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static socket => socket.FlushData(), this, preferLocal: false);
        }
    }

    private void FlushData()
    {
        Interlocked.Exchange(ref _dataDirty, 0);
        if (System.Threading.Volatile.Read(ref _state) == Closed || !_backend.IsRunning)
        {
            return;
        }

        try
        {
            // Two flushes can run at once (a write lands while the previous flush serializes): each takes
            // its snapshot and publishes it under the data's lock, so the distributor's copy ends with
            // the newest snapshot, never with an older one published last.
            var data = (SocketData)Data;
            lock (data)
            {
                var json = _backend.Codec.SerializeValue(data.Snapshot());
                Router.Publish(Router.Channels.Distributor(DistributorId), new SocketDataChanged(Id, json));
            }

            BackendMetrics.EmitsOut.Add(1);
        }
        catch (Exception ex)
        {
            // A thread-pool work item: an exception escaping it would end the process. A value the serializer
            // cannot write, or the backend stopping: logged, and the distributor's copy stays as it was.
            BackendLog.QueueItemFailed(_backend.Logger, ex, Id);
        }
    }
}
