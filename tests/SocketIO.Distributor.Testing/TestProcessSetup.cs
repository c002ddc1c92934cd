using System.Runtime.CompilerServices;

namespace SocketIO.Distributor.Testing;

/// <summary>Process-wide settings for test runs.</summary>
internal static class TestProcessSetup
{
    /// <summary>
    /// Tests run servers, clients and Redis in one process on a 2-core machine; some client libraries
    /// block thread-pool threads. More minimum threads keep a burst of parallel tests from starving
    /// the pool (which would show up as random timeouts).
    /// </summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Test support library: it must run before any test starts a server.")]
    internal static void RaiseThreadPoolMinimum() => ThreadPool.SetMinThreads(64, 64);
}
