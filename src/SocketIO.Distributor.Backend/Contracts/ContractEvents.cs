using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SocketIO.Distributor.Backend.Contracts;

/// <summary>
/// What generated contract bindings call for each client event: read an argument, refuse a payload
/// or an event (an error ack <c>{message, code, data}</c>, or a <see cref="ErrorEvent"/> event when the
/// client passed no callback; counted), and answer the client once the handler is done.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ContractEvents
{
    /// <summary>The event a client receives when an event it sent without a callback is refused: <c>{message, code, data}</c>.</summary>
    public const string ErrorEvent = "siod:error";

    /// <summary>The code of a payload that does not fit the contract; <c>data</c> is <c>{event, argument, field}</c>.</summary>
    public const string InvalidPayload = "INVALID_PAYLOAD";

    /// <summary>The code of an event that is not in the contract; <c>data</c> is <c>{event}</c>.</summary>
    public const string UnknownEvent = "UNKNOWN_EVENT";

    /// <summary>The code of a handler that threw <see cref="SocketHandlerException"/> (its message is sent).</summary>
    public const string Refused = "REFUSED";

    /// <summary>The code of a handler that failed otherwise (logged; the client sees <c>Internal server error</c>).</summary>
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>
    /// Reads argument <paramref name="index"/>. A missing or null argument is refused when
    /// <paramref name="required"/>; one that does not deserialize is refused naming the field.
    /// </summary>
    /// <typeparam name="T">The parameter's type.</typeparam>
    /// <param name="e">The event.</param>
    /// <param name="index">The argument's position.</param>
    /// <param name="argument">The parameter's name in the contract.</param>
    /// <param name="required">True if the parameter is not nullable.</param>
    /// <param name="info">The JSON metadata, or null to use <see cref="BackendOptions.Json"/>.</param>
    /// <param name="value">The value read.</param>
    /// <returns>False when the event was refused (answered and counted).</returns>
    public static bool TryRead<T>(SocketEvent e, int index, string argument, bool required, JsonTypeInfo<T>? info, out T value)
    {
        ArgumentNullException.ThrowIfNull(e);
        value = default!;
        try
        {
            if (index >= e.Arguments.Count || e.Arguments[index].ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    RefusePayload(e, argument, new ContractViolation(argument, $"{argument} is required"));
                    return false;
                }

                return true;
            }

            value = (info is null ? e.Arguments.Get<T>(index) : e.Arguments[index].Deserialize(info))!;
            if (required && value is null)
            {
                RefusePayload(e, argument, new ContractViolation(argument, $"{argument} is required"));
                return false;
            }

            return true;
        }
        catch (JsonException ex)
        {
            var field = FieldOf(argument, ex.Path);
            RefusePayload(e, argument, new ContractViolation(field, $"{field} has the wrong type"));
            return false;
        }
    }

    /// <summary>Refuses an event whose argument <paramref name="argument"/> broke the contract.</summary>
    /// <param name="e">The event.</param>
    /// <param name="argument">The parameter's name in the contract.</param>
    /// <param name="violation">What is wrong.</param>
    public static void RefusePayload(SocketEvent e, string argument, ContractViolation violation)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(violation);
        var backend = e.Socket.Namespace.Backend;
        backend.ContractStatistics.OnInvalidPayload();
        ContractMetrics.Refusals.Add(1, new("reason", "invalid_payload"), new("namespace", e.Socket.Namespace.Name));
        ContractLog.PayloadRefused(backend.Logger, e.Name, e.Socket.Id, violation.Field, violation.Message);
        Answer(e, violation.Message, InvalidPayload, (writer, _) =>
        {
            writer.WriteStartObject();
            writer.WriteString("event", e.Name);
            writer.WriteString("argument", argument);
            writer.WriteString("field", violation.Field);
            writer.WriteEndObject();
        });
    }

    /// <summary>Refuses an event that is not in the namespace's contract.</summary>
    /// <param name="e">The event.</param>
    public static void RefuseUnknown(SocketEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var backend = e.Socket.Namespace.Backend;
        backend.ContractStatistics.OnUnknownEvent();
        ContractMetrics.Refusals.Add(1, new("reason", "unknown_event"), new("namespace", e.Socket.Namespace.Name));
        ContractLog.EventRefused(backend.Logger, e.Name, e.Socket.Id, e.Socket.Namespace.Name);
        Answer(e, $"event {e.Name} is not in the contract of {e.Socket.Namespace.Name}", UnknownEvent, (writer, _) =>
        {
            writer.WriteStartObject();
            writer.WriteString("event", e.Name);
            writer.WriteEndObject();
        });
    }

    /// <summary>Answers an event whose handler completed: the callback, if any, gets <c>(null)</c>.</summary>
    /// <param name="e">The event.</param>
    public static void Complete(SocketEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Ack((object?)null);
    }

    /// <summary>Waits for an event's handler, then answers <c>(null)</c>, or the error.</summary>
    /// <param name="e">The event.</param>
    /// <param name="running">The handler's task.</param>
    /// <returns>A task that completes when the client was answered.</returns>
    public static async Task CompleteAsync(SocketEvent e, Task running)
    {
        ArgumentNullException.ThrowIfNull(running);
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(e, ex);
            return;
        }

        Complete(e);
    }

    /// <summary>Waits for a request's handler, then answers <c>(null, result)</c>, or the error.</summary>
    /// <typeparam name="T">The result's type.</typeparam>
    /// <param name="e">The event.</param>
    /// <param name="running">The handler's task.</param>
    /// <param name="info">The result's JSON metadata, or null to use <see cref="BackendOptions.Json"/>.</param>
    /// <returns>A task that completes when the client was answered.</returns>
    public static async Task CompleteAsync<T>(SocketEvent e, Task<T> running, JsonTypeInfo<T>? info)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(running);
        T result;
        try
        {
            result = await running.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(e, ex);
            return;
        }

        if (e.HasAck)
        {
            e.Ack(ContractEmitter.EncodeArguments(e.Socket.Namespace.Backend, (writer, options) =>
            {
                writer.WriteNullValue();
                ContractEmitter.Write(writer, result, info, options);
            }));
        }
    }

    /// <summary>
    /// Answers an event whose handler threw: a <see cref="SocketHandlerException"/> becomes
    /// <c>{message, code: "REFUSED"}</c>; anything else is logged and becomes <c>Internal server error</c>.
    /// </summary>
    /// <param name="e">The event.</param>
    /// <param name="exception">What the handler threw.</param>
    public static void Fail(SocketEvent e, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(exception);
        var logger = e.Socket.Namespace.Backend.Logger;
        if (exception is SocketHandlerException refused)
        {
            BackendLog.EventHandlerRefused(logger, e.Name, e.Socket.Id, refused.Message);
            Answer(e, refused.Message, Refused, null);
            return;
        }

        BackendMetrics.HandlerErrors.Add(1);
        BackendLog.EventHandlerFailed(logger, exception, e.Name, e.Socket.Id);
        Answer(e, "Internal server error", InternalError, null);
    }

    /// <summary>The field a deserialization error points at: <c>$.a.b</c> is <c>a.b</c>, <c>$</c> the argument itself.</summary>
    internal static string FieldOf(string argument, string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return argument;
        }

        var rest = path.StartsWith('$') ? path[1..] : path;
        return rest.StartsWith('.') ? rest[1..] : argument + rest;
    }

    /// <summary>The error ack <c>[{message, code, data}]</c>, or the same object as a <see cref="ErrorEvent"/> event.</summary>
    private static void Answer(SocketEvent e, string message, string code, Action<Utf8JsonWriter, JsonSerializerOptions>? data)
    {
        var error = ContractEmitter.EncodeArguments(e.Socket.Namespace.Backend, (writer, options) =>
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            writer.WriteString("code", code);
            if (data is not null)
            {
                writer.WritePropertyName("data");
                data(writer, options);
            }

            writer.WriteEndObject();
        });
        if (e.HasAck)
        {
            e.Ack(error);
        }
        else if (e.Socket.Connected)
        {
            e.Socket.Emit(ErrorEvent, error);
        }
    }
}
