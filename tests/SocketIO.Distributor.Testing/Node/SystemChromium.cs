namespace SocketIO.Distributor.Testing.Node;

/// <summary>Debian's Chromium for the browser test (not a Playwright download), installed when missing (see <see cref="DebianPackage"/>).</summary>
public static class SystemChromium
{
    private static readonly DebianPackage Package = new("chromium", "/usr/bin/chromium", "The browser test");

    /// <summary>Where Debian's package puts the browser.</summary>
    public static string Path => Package.Path;

    /// <summary>The command that installs it by hand.</summary>
    public static string InstallCommand => Package.InstallCommand;

    /// <summary>Returns the browser's path, installing it first when missing and possible.</summary>
    /// <returns>The path.</returns>
    /// <exception cref="InvalidOperationException">It is missing and cannot be installed here; the message says how.</exception>
    public static Task<string> EnsureInstalledAsync() => Package.EnsureInstalledAsync();
}
