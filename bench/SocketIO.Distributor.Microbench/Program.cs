using BenchmarkDotNet.Running;

// bench/micro runs every benchmark with a short job; pass BenchmarkDotNet arguments to filter,
// e.g. `bench/micro --filter '*Fanout*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
