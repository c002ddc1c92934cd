using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using SocketIO.Distributor.Testing.Resp;

namespace SocketIO.Distributor.Testing.Nginx;

/// <summary>
/// An nginx of one test in front of distributors: a plain round-robin upstream (no <c>ip_hash</c>, no
/// affinity of any kind), HTTP/1.1 to the upstreams with the WebSocket upgrade headers, as the README's
/// "nginx in front" section configures it. It runs as a foreground child process on a free loopback
/// port with its own prefix, pid, log and temp paths, and is killed on dispose.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private NginxProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The base URL clients connect to.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The config it runs with (for the test's log).</summary>
    public string Config => File.ReadAllText(System.IO.Path.Combine(_directory, "nginx.conf"));

    /// <summary>Installs nginx when missing (see <see cref="SystemNginx"/>), starts it in front of <paramref name="upstreams"/> and waits until it listens.</summary>
    /// <param name="upstreams">The distributors' base URLs (<c>http://127.0.0.1:port</c>).</param>
    /// <returns>The running nginx.</returns>
    public static async Task<NginxProcess> StartAsync(IEnumerable<string> upstreams)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        var program = await SystemNginx.EnsureInstalledAsync();
        var directory = Directory.CreateTempSubdirectory("siod-nginx-").FullName;
        var port = TestRedis.FreePort();
        var config = System.IO.Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, Configuration(directory, port, upstreams.Select(u => new Uri(u).Authority)));

        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-p", directory, "-c", config, "-e", System.IO.Path.Combine(directory, "error.log"), "-g", "daemon off;" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start '{program}': {ex.Message}. Install it with: {SystemNginx.InstallCommand}", ex);
        }

        var nginx = new NginxProcess(process, directory, port);
        process.OutputDataReceived += (_, e) => nginx.Append(e.Data);
        process.ErrorDataReceived += (_, e) => nginx.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = Stopwatch.GetTimestamp();
        while (!await ListensAsync(port))
        {
            if (process.HasExited || Stopwatch.GetElapsedTime(started) > StartTimeout)
            {
                var log = nginx.ErrorLog();
                await nginx.DisposeAsync();
                throw new InvalidOperationException($"nginx on port {port} did not start (exited: {process.HasExited}): {nginx.Output()} {log}");
            }

            await Task.Delay(20);
        }

        return nginx;
    }

    /// <summary>What nginx printed and its error log.</summary>
    public string ErrorLog()
    {
        var path = System.IO.Path.Combine(_directory, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(StartTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A worker still closing a log: the temp folder is cleaned with the machine's.
        }
    }

    private static string Configuration(string directory, int port, IEnumerable<string> upstreams)
    {
        var servers = string.Concat(upstreams.Select(u => $"    server {u};\n"));
        var user = Environment.IsPrivilegedProcess ? "user root root;\n" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/client_body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
              # Plain round-robin: no ip_hash, no cookie, no affinity.
              upstream siod {
            {{servers}}  }
              map $http_upgrade $connection_upgrade { default upgrade; '' close; }
              server {
                listen 127.0.0.1:{{port}};
                location /socket.io/ {
                  proxy_pass http://siod;
                  proxy_http_version 1.1;
                  proxy_set_header Upgrade $http_upgrade;
                  proxy_set_header Connection $connection_upgrade;
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_read_timeout 60s;
                }
              }
            }
            """);
    }

    private static async Task<bool> ListensAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
