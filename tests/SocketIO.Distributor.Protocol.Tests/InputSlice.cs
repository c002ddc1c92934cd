using System.Runtime.InteropServices;

namespace SocketIO.Distributor.Protocol.Tests;

/// <summary>Checks that decoded values slice the buffer they were decoded from (no copies, no overruns).</summary>
internal static class InputSlice
{
    /// <summary>True if <paramref name="slice"/> is a range of <paramref name="input"/> itself.</summary>
    public static bool IsWithin(ReadOnlyMemory<byte> slice, byte[] input) =>
        MemoryMarshal.TryGetArray(slice, out var segment)
        && ReferenceEquals(segment.Array, input)
        && segment.Offset >= 0
        && segment.Offset + segment.Count <= input.Length;

    /// <summary>True if <paramref name="slice"/> is the end of <paramref name="input"/>.</summary>
    public static bool IsSuffix(ReadOnlyMemory<byte> slice, byte[] input) =>
        IsWithin(slice, input) && MemoryMarshal.TryGetArray(slice, out var segment)
        && segment.Offset + segment.Count == input.Length;
}
