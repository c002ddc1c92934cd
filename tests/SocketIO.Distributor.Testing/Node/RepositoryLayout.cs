namespace SocketIO.Distributor.Testing.Node;

/// <summary>Where things are in the repository, found from the test's output folder.</summary>
public static class RepositoryLayout
{
    private const string SolutionFileName = "SocketIO.Distributor.slnx";

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the nearest folder above the test binaries holding the solution file.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The npm package of real Socket.IO clients that the end-to-end tests drive (<c>tests/clients</c>).</summary>
    public static string ClientsDirectory => Path.Combine(Root, "tests", "clients");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No folder above '{AppContext.BaseDirectory}' contains {SolutionFileName}; run the tests from a checkout of the repository.");
    }
}
