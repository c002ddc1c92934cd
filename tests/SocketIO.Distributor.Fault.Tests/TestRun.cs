// The fault tests run alone: no other test assembly of this checkout runs meanwhile (see TestRunLock).
[assembly: Xunit.TestFramework("SocketIO.Distributor.Testing.ExclusiveTestRunFramework", "SocketIO.Distributor.Testing")]
