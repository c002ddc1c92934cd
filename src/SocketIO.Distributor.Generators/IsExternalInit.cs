// Records and init accessors on netstandard2.0.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
