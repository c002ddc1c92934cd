// STUB: being written; the real server replaces this.
EngineIOEcho.EngineIOEchoApp.Create(args).Run();

namespace EngineIOEcho
{
    /// <summary>The Engine.IO echo host used for protocol conformance tests.</summary>
    public static class EngineIOEchoApp
    {
        /// <summary>Builds the host (path /engine.io/, pingInterval 300, pingTimeout 200, maxPayload 1000000).</summary>
        public static WebApplication Create(string[] args) => WebApplication.CreateBuilder(args).Build();
    }
}
