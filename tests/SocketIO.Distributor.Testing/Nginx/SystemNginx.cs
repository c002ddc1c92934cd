namespace SocketIO.Distributor.Testing.Nginx;

/// <summary>Debian's <c>nginx</c> for the load-balancer tests, installed when missing (see <see cref="DebianPackage"/>).</summary>
public static class SystemNginx
{
    private static readonly DebianPackage Package = new("nginx", "/usr/sbin/nginx", "The load-balancer test", startsService: true);

    /// <summary>Where Debian's package puts the program.</summary>
    public static string Path => Package.Path;

    /// <summary>The command that installs it by hand.</summary>
    public static string InstallCommand => Package.InstallCommand;

    /// <summary>Returns nginx's path, installing it first when missing and possible.</summary>
    /// <returns>The path.</returns>
    /// <exception cref="InvalidOperationException">It is missing and cannot be installed here; the message says how.</exception>
    public static Task<string> EnsureInstalledAsync() => Package.EnsureInstalledAsync();
}
