using System.Text.Json.Serialization;

namespace SocketIO.Distributor.SocketIO;

/// <summary>Source-generated JSON for the few values the Socket.IO layer writes itself.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SocketIOJsonContext : JsonSerializerContext;
