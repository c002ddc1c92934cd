using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace SocketIO.Distributor.Cli.Tests;

/// <summary>siod's own hosts read their settings files once and do not watch the working directory's tree.</summary>
public sealed class CliHostTests
{
    [Fact]
    public void A_siod_host_reads_its_settings_files_without_watching_them()
    {
        var builder = CliHost.CreateBuilder();
        using var configuration = builder.Configuration;

        var files = JsonSources(builder);
        Assert.Contains(files, s => s.Path == "appsettings.json");
        Assert.All(files, s => Assert.False(s.ReloadOnChange, $"{s.Path} is watched for changes"));
    }

    [Fact]
    public void The_default_host_would_watch_them()
    {
        // What CliHost turns off: without its arguments, ASP.NET Core watches every settings file (a
        // recursive watcher on the working directory), so the test above can fail.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        using var configuration = builder.Configuration;

        Assert.Contains(JsonSources(builder), s => s.Path == "appsettings.json" && s.ReloadOnChange);
    }

    private static List<JsonConfigurationSource> JsonSources(WebApplicationBuilder builder) =>
        ((IConfigurationBuilder)builder.Configuration).Sources.OfType<JsonConfigurationSource>().ToList();
}
