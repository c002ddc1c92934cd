// STUB: being written; the real server replaces this.
SocketIOEcho.SocketIOEchoApp.Create(args).Run();

namespace SocketIOEcho
{
    /// <summary>The Socket.IO echo host used for protocol conformance tests.</summary>
    public static class SocketIOEchoApp
    {
        /// <summary>Builds the host with the socket.io-protocol reference test configuration.</summary>
        public static WebApplication Create(string[] args) => WebApplication.CreateBuilder(args).Build();
    }
}
