// The demo page loads socket.io-client's browser bundle, which defines the global `io` (with io.Manager).
declare const io: typeof import("socket.io-client").io & { Manager: typeof import("socket.io-client").Manager };
