// siod: the SocketIO.Distributor command. `siod --help` lists the commands.
return await SocketIO.Distributor.Cli.SiodCommand.RunAsync(args);
