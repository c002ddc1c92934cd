// Runs beside the other test assemblies, but not beside the fault tests (see TestRunLock).
[assembly: Xunit.TestFramework("SocketIO.Distributor.Testing.SharedTestRunFramework", "SocketIO.Distributor.Testing")]
