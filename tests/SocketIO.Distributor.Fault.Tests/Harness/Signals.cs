using System.Runtime.InteropServices;

namespace SocketIO.Distributor.Fault.Tests.Harness;

/// <summary>POSIX signals to a process by id: the faults an operator or a stuck VM causes.</summary>
internal static partial class Signals
{
    /// <summary>SIGTERM: asks the process to stop (what an orchestrator sends first).</summary>
    public const int Terminate = 15;

    /// <summary>SIGSTOP: freezes the process (a GC pause, a VM pause, a debugger).</summary>
    public const int Stop = 19;

    /// <summary>SIGCONT: resumes a frozen process.</summary>
    public const int Continue = 18;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; fails loudly if it cannot.</summary>
    public static void Send(int pid, int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The fault tests send POSIX signals with Linux numbers; run them on Linux.");
        }

        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
