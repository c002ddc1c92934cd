using Microsoft.AspNetCore.Builder;

namespace SocketIO.Distributor.Cli;

/// <summary>The web host of siod's own processes (<c>siod distributor</c>, the demo).</summary>
internal static class CliHost
{
    /// <summary>
    /// The bootstrap arguments of every siod host: its settings files (<c>appsettings.json</c>,
    /// <c>appsettings.{Environment}.json</c> in the working directory) are read once at start and not
    /// watched. ASP.NET Core's default watches them through a watcher on the whole content root, which on
    /// Linux is one inotify watch and one tracked directory per subdirectory: a siod started in a
    /// directory with a large tree (a checkout with <c>node_modules</c>) paid for ~12,000 of them in
    /// memory and at start-up, for settings it reads once anyway.
    /// </summary>
    internal static readonly string[] BootstrapArguments = ["--hostBuilder:reloadConfigOnChange=false"];

    /// <summary>A <see cref="WebApplicationBuilder"/> with siod's bootstrap arguments (<see cref="BootstrapArguments"/>).</summary>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder CreateBuilder() => WebApplication.CreateBuilder(new WebApplicationOptions { Args = BootstrapArguments });
}
