namespace SocketIO.Distributor.Protocol;

/// <summary>
/// Why a packet or payload could not be decoded. Decoders never throw on malformed input:
/// they return one of these values, which callers log and answer by closing that client only.
/// </summary>
public enum DecodeError
{
    /// <summary>The input decoded successfully.</summary>
    None = 0,

    /// <summary>The input was empty where a packet was required.</summary>
    Empty,

    /// <summary>The packet type character or byte is not one the protocol defines.</summary>
    UnknownPacketType,

    /// <summary>A base64-encoded binary packet (<c>b...</c>) is not valid base64.</summary>
    InvalidBase64,

    /// <summary>A length prefix (EIO3 payloads) is missing, not a number, or points past the end.</summary>
    InvalidLength,

    /// <summary>The bytes are not valid UTF-8 where text was required.</summary>
    InvalidUtf8,

    /// <summary>The JSON data of a Socket.IO packet is not valid JSON.</summary>
    InvalidJson,

    /// <summary>The JSON data is valid but not of the shape the packet type requires.</summary>
    InvalidPayload,

    /// <summary>The attachment count of a binary packet is missing or not a number.</summary>
    InvalidAttachments,

    /// <summary>The acknowledgement id is not a valid number.</summary>
    InvalidAckId,

    /// <summary>The namespace is malformed (for example, empty).</summary>
    InvalidNamespace,

    /// <summary>The input is larger than the configured limit.</summary>
    TooLarge,
}
