using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SocketIO.Distributor.Bus;
using SocketIO.Distributor.Protocol.Bus;
using SocketIO.Distributor.Protocol.SocketIO;

namespace SocketIO.Distributor.Cli.Commands;

/// <summary><c>siod emit</c>: send an event to a namespace, rooms or one socket, as a backend would.</summary>
internal static class EmitCommand
{
    public static Command Create()
    {
        var redis = RedisOptions.Redis();
        var prefix = RedisOptions.Prefix();
        var nsp = new Option<string>("--namespace", "-n") { Description = "The namespace.", DefaultValueFactory = _ => "/" };
        var rooms = new Option<string[]>("--room", "-r") { Description = "A room to emit to (repeat for several); default: the whole namespace.", AllowMultipleArgumentsPerToken = false };
        var socket = new Option<string?>("--socket", "-s") { Description = "Emit to this one socket id instead." };
        var eventName = new Argument<string>("event") { Description = "The event name." };
        var arguments = new Argument<string>("arguments") { Description = "The event's arguments as a JSON array, e.g. '[\"hi\",1]'.", DefaultValueFactory = _ => "[]" };
        var command = new Command("emit", "Send an event to every socket of a namespace, to rooms, or to one socket.")
        {
            redis, prefix, nsp, rooms, socket, eventName, arguments,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var name = parsed.GetValue(nsp)!;
            if (name.Length == 0 || name[0] != '/')
            {
                throw new CliFailure($"--namespace must start with '/' (got '{name}').");
            }

            var args = Encoding.UTF8.GetBytes(parsed.GetValue(arguments)!);
            if (!IsJsonArray(args))
            {
                throw new CliFailure($"arguments must be a JSON array such as '[\"hello\", 1]' (got '{parsed.GetValue(arguments)}').");
            }

            var frame = SocketPacketWriter.EncodeFrame(SocketPacketType.Event, name, -1, 0, EventPayload.Build(parsed.GetValue(eventName)!, args));
            await using var bus = await RedisBus.ConnectAsync(new BusOptions { Redis = parsed.GetValue(redis)!, ChannelPrefix = parsed.GetValue(prefix)! }, NullLogger.Instance);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(socket) is { } socketId)
            {
                var dot = socketId.IndexOf('.', StringComparison.Ordinal);
                if (dot <= 0)
                {
                    throw new CliFailure($"'{socketId}' is not a socket id of this product (they look like <distributor>.<random>).");
                }

                var receivers = await bus.PublishAsync(bus.Channels.Distributor(socketId[..dot]), new SendToSocket(socketId, EmitFlags.None, [frame]).Encode());
                output.WriteLine($"Sent to socket {socketId} ({receivers} distributor(s) listening).");
                return receivers > 0 ? 0 : 1;
            }

            var roomList = parsed.GetValue(rooms) ?? [];
            var broadcast = new Broadcast(name, roomList, [], EmitFlags.None, "siod-cli-" + Environment.ProcessId, (ulong)DateTime.UtcNow.Ticks, [frame]).Encode();
            long total = 0;
            foreach (var channel in roomList.Length == 0 ? [bus.Channels.Namespace(name)] : roomList.Select(r => bus.Channels.Room(name, r)))
            {
                total += await bus.PublishAsync(channel, broadcast);
            }

            output.WriteLine($"Broadcast to {(roomList.Length == 0 ? "namespace " + name : "room(s) " + string.Join(", ", roomList))} ({total} subscription(s) reached).");
            return 0;
        });
        return command;
    }

    private static bool IsJsonArray(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
