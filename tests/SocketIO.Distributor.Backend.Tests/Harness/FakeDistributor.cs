using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Testing;

namespace SocketIO.Distributor.Backend.Tests.Harness;

/// <summary>
/// A distributor made of raw bus messages: registers in the members hash, records what arrives in
/// its inbox (and on any channel it is told to watch), sends what a real distributor would send,
/// and optionally answers commands and remote queries as a distributor holding <see cref="Sockets"/>.
/// </summary>
internal sealed class FakeDistributor : IAsyncDisposable
{
    private readonly BusOptions _options;
    private readonly string[] _namespaces;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly List<BusSubscription> _subscriptions = [];
    private BusSubscription? _inbox;
    private RedisBus? _bus;
    private ClusterMembership? _membership;

    public FakeDistributor(BusOptions options, string id, params string[] namespaces)
    {
        _options = options;
        Id = id;
        _namespaces = namespaces;
    }

    public string Id { get; }

    /// <summary>When true, every command asking for it is confirmed with a <see cref="CommandAck"/>.</summary>
    public bool AcknowledgeCommands { get; set; } = true;

    /// <summary>When true, remote queries on the watched namespaces are answered.</summary>
    public bool AnswerQueries { get; set; } = true;

    /// <summary>Set before <see cref="StartAsync"/>: its entry says it acknowledges departures (<see cref="DepartureSeen"/>).</summary>
    public bool AcknowledgesDepartures { get; set; }

    /// <summary>True before <see cref="StartAsync"/>: it answers every backend's <see cref="MemberLeaving"/> with <see cref="DepartureSeen"/> at once (until set false).</summary>
    public bool AnswersDepartures { get; set; }

    /// <summary>When this run started (Unix milliseconds) as its entry says: set by <see cref="StartAsync"/>, later than any earlier run's.</summary>
    public long StartedAt { get; private set; }

    /// <summary>The sockets this distributor reports to remote queries (id to rooms).</summary>
    public ConcurrentDictionary<string, HashSet<string>> Sockets { get; } = new();

    public BusChannels Channels => Bus.Channels;

    public RedisBus Bus => _bus ?? throw new InvalidOperationException("Not started.");

    public IEnumerable<Received> All => _received;

    public async Task StartAsync()
    {
        StartedAt = NextStart();
        _bus = await RedisBus.ConnectAsync(_options, NullLogger.Instance);
        await ListenAgainAsync();
        foreach (var nsp in _namespaces)
        {
            _subscriptions.Add(await _bus.SubscribeAsync(Channels.Namespace(nsp), bytes => OnNamespaceMessage(Channels.Namespace(nsp), bytes)));
        }

        if (AnswersDepartures)
        {
            _subscriptions.Add(await _bus.SubscribeAsync(Channels.All, OnAllMessage));
        }

        _membership = new ClusterMembership(
            _bus,
            () => new MemberInfo { Id = Id, Kind = MemberKind.Distributor, Namespaces = _namespaces, AcknowledgesDepartures = AcknowledgesDepartures, StartedAt = StartedAt },
            TimeProvider.System,
            NullLogger.Instance);
        await _membership.StartAsync();
    }

    /// <summary>
    /// Unsubscribes from its inbox while its heartbeat goes on: alive but deaf, as a distributor whose
    /// subscription connection to Redis broke (or one killed, as far as its inbox can tell).
    /// </summary>
    public async Task StopListeningAsync()
    {
        if (_inbox is not null)
        {
            _subscriptions.Remove(_inbox);
            await _inbox.DisposeAsync();
            _inbox = null;
        }
    }

    /// <summary>Subscribes to its inbox (again), recording what arrives.</summary>
    public async Task ListenAgainAsync()
    {
        _inbox = await Bus.SubscribeAsync(Channels.Distributor(Id), bytes => Record(Channels.Distributor(Id), bytes));
        _subscriptions.Add(_inbox);
    }

    /// <summary>Records every message published on <paramref name="channel"/>.</summary>
    public async Task WatchAsync(string channel) =>
        _subscriptions.Add(await Bus.SubscribeAsync(channel, bytes => Record(channel, bytes)));

    public void Connect(string backendId, string socketId, string nsp = "/", string? handshakeJson = null, bool recovered = false) =>
        Publish(backendId, new ConnectRequest(Id, socketId, nsp, Encoding.UTF8.GetBytes(handshakeJson ?? Handshakes.Default), recovered));

    public void SendPacket(string backendId, string socketId, string packet, params byte[][] attachments) =>
        Publish(backendId, new ClientPacket(socketId, Encoding.UTF8.GetBytes(packet), [.. attachments.Select(a => (ReadOnlyMemory<byte>)a)]));

    public void SendDisconnected(string backendId, string socketId, string reason) =>
        Publish(backendId, new SocketDisconnected(socketId, reason));

    public void Publish(string backendId, IBusMessage message) => Bus.Publish(Channels.Backend(backendId), message.Encode());

    /// <summary>Connects a socket and waits until the backend accepted it.</summary>
    public async Task<ConnectResult> ConnectAndWaitAsync(string backendId, string socketId, string nsp = "/", string? handshakeJson = null)
    {
        Connect(backendId, socketId, nsp, handshakeJson);
        return await NextAsync<ConnectResult>(r => r.SocketId == socketId);
    }

    /// <summary>Waits for a message of type <typeparamref name="T"/> matching <paramref name="match"/>.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? match = null, string? channel = null, TimeSpan? timeout = null)
        where T : IBusMessage
    {
        T? found = default;
        await Eventually.TrueAsync(
            () =>
            {
                found = _received
                    .Where(r => channel is null || r.Channel == channel)
                    .Select(r => r.Message)
                    .OfType<T>()
                    .FirstOrDefault(m => match is null || match(m));
                return found is not null;
            },
            $"distributor {Id} receives a {typeof(T).Name}",
            timeout);
        return found!;
    }

    /// <summary>The messages of type <typeparamref name="T"/> received so far, in order.</summary>
    public List<T> ReceivedOf<T>(string? channel = null) =>
        [.. _received.Where(r => channel is null || r.Channel == channel).Select(r => r.Message).OfType<T>()];

    /// <summary>Stops heartbeats without announcing: the entry expires like a crashed process's.</summary>
    public async Task CrashAsync()
    {
        if (_membership is not null)
        {
            await _membership.DisposeAsync();
            _membership = null;
        }
    }

    /// <summary>Announces the departure, as a distributor shutting down does.</summary>
    public async Task LeaveAsync()
    {
        if (_membership is not null)
        {
            await _membership.LeaveAsync();
            await _membership.DisposeAsync();
            _membership = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CrashAsync();
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        if (_bus is not null)
        {
            var key = _bus.Channels.Members(MemberKind.Distributor);
            await _bus.Database.HashDeleteAsync(key, Id);
            await _bus.DisposeAsync();
        }
    }

    private static long _lastStart;

    /// <summary>The time now in Unix milliseconds, or one more than the last run's if that is not later (two runs in one millisecond).</summary>
    private static long NextStart()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastStart);
            var next = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), last + 1);
            if (Interlocked.CompareExchange(ref _lastStart, next, last) == last)
            {
                return next;
            }
        }
    }

    private void Record(string channel, ReadOnlyMemory<byte> bytes)
    {
        var message = BusMessage.Decode(bytes);
        _received.Enqueue(new Received(channel, message, bytes.ToArray()));
        if (message is SocketCommand { RequestId: > 0 } command && AcknowledgeCommands)
        {
            ApplyCommand(command);
            Bus.Publish(command.ReplyChannel, new CommandAck(command.RequestId, Id).Encode());
        }
    }

    private void OnAllMessage(ReadOnlyMemory<byte> bytes)
    {
        if (AnswersDepartures && BusMessage.Decode(bytes) is MemberLeaving { Kind: MemberKind.Backend } leaving)
        {
            Publish(leaving.MemberId, new DepartureSeen(Id));
        }
    }

    private void OnNamespaceMessage(string channel, ReadOnlyMemory<byte> bytes)
    {
        Record(channel, bytes);
        if (BusMessage.Decode(bytes) is RemoteQuery query && AnswerQueries)
        {
            Bus.Publish(query.ReplyChannel, Answer(query).Encode());
        }
    }

    private void ApplyCommand(SocketCommand command)
    {
        if (!Sockets.TryGetValue(command.SocketId, out var rooms))
        {
            return;
        }

        lock (rooms)
        {
            if (command.Kind == SocketCommandKind.Join)
            {
                rooms.UnionWith(command.Rooms);
            }
            else if (command.Kind == SocketCommandKind.Leave)
            {
                rooms.ExceptWith(command.Rooms);
            }
        }
    }

    private RemoteReply Answer(RemoteQuery query)
    {
        var matched = new List<RemoteSocketInfo>();
        foreach (var (id, rooms) in Sockets)
        {
            lock (rooms)
            {
                var all = rooms.Append(id).ToHashSet();
                var included = query.Rooms.Count == 0 || query.Rooms.Any(all.Contains);
                if (!included || query.Except.Any(all.Contains))
                {
                    continue;
                }

                if (query.Kind == SocketCommandKind.Join)
                {
                    rooms.UnionWith(query.TargetRooms);
                }
                else if (query.Kind == SocketCommandKind.Leave)
                {
                    rooms.ExceptWith(query.TargetRooms);
                }

                matched.Add(new RemoteSocketInfo(id, [.. rooms.Prepend(id)], Encoding.UTF8.GetBytes(Handshakes.Default)));
            }
        }

        return new RemoteReply(query.RequestId, Id, matched);
    }

    /// <summary>One message as it arrived.</summary>
    public sealed record Received(string Channel, IBusMessage Message, byte[] Bytes);
}
