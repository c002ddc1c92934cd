#!/usr/bin/env node
// An interactive socket.io-client (v4 or v2) for the C# tests (NodeClientDriver): one JSON command per
// line on stdin, one JSON line per reply or event on stdout. Diagnostics go to stderr.
//
// Usage: node driver.mjs <v4|v2> [hardLimitSeconds=120]
//
// Commands (each reply echoes "id": {"id":1,"ok":true,...} or {"id":1,"ok":false,"error":"..."}):
//   {"cmd":"connect","id":1,"name":"a","url":"http://127.0.0.1:5000","nsp":"/chat","auth":{...},
//    "transports":["websocket"],"timeoutMs":5000,"connection":"c1"}        → {"sid","engineId","transport"}
//       Sockets share one Engine.IO connection (Manager) per url + transports, as in real apps, unless it
//       already has a socket for that namespace: then a new connection opens. "connection" names the
//       connection to use explicitly. v2 sends "auth" as query strings.
//   {"cmd":"emit","id":2,"name":"a","event":"ev","args":[...]}             → at once
//   {"cmd":"emitWithAck","id":3,"name":"a","event":"ev","args":[...],"timeoutMs":3000} → {"ack":[...]}
//   {"cmd":"ackPolicy","id":4,"name":"a","event":"ev","reply":[...]|"echo"}
//   {"cmd":"disconnect","id":5,"name":"a"}
//   {"cmd":"raw","id":6,"name":"a","packet":"42[\"ev\"]"}   an Engine.IO packet as text
//   {"cmd":"rawBinary","id":7,"name":"a","base64":"..."}    an Engine.IO binary message
//   {"cmd":"close","id":8}                                  closes everything, then exits 0
//   {"cmd":"cut","id":9,"name":"a"}        destroys the TCP connection of the socket's websocket (a network blip)
//   {"cmd":"reconnect","id":10,"name":"a","url":"http://..."}  connects the socket again, to url if given; a socket
//       still connected (a cut whose close is not processed yet) is first waited for → {"waitedForClose"}
//       (socket.io-client ≥ 4.6 sends {pid, offset} in its CONNECT: connection state recovery)
// Events: {"event":"<name>","name":"a","args":[...],"hasAck":bool} for every event the server sends,
//   {"event":"$connect","name","sid","engineId","recovered"}, {"event":"$disconnect","name","reason"},
//   {"event":"$connect_error","name","message","data"}, {"event":"$error","name","message"}.
// Binary values travel as {"$binary":"<base64>"} both ways.
// The driver exits when stdin closes, and after the hard limit whatever happens.
import { createInterface } from "node:readline";
import { CLIENTS, writeRawPacket } from "./lib/driver-clients.mjs";
import { fromWire, messageOf, send, toWire, withTimeout } from "./lib/driver-wire.mjs";

const DEFAULT_TIMEOUT_MS = 5000;
const [version, limitArg] = process.argv.slice(2);
const client = CLIENTS[version];
if (!client) {
  process.stderr.write(`usage: node driver.mjs <${Object.keys(CLIENTS).join("|")}> [hardLimitSeconds]\n`);
  process.exit(2);
}

const hardLimitSeconds = Number(limitArg ?? 120);
setTimeout(() => {
  process.stderr.write(`driver: hard limit of ${hardLimitSeconds} s reached, exiting\n`);
  process.exit(3);
}, hardLimitSeconds * 1000).unref();

/** Engine.IO connections: { key, connection, manager, namespaces: Set } */
const connections = [];
/** Sockets by the name the test gave them: { socket, connection } */
const sockets = new Map();
/** `${name}\0${event}` → the ack arguments to answer a server's ack request with, or "echo". */
const ackPolicies = new Map();

const commands = {
  connect,
  emit: async ({ name, event, args = [] }) => {
    socketNamed(name).emit(event, ...fromWire(args));
    return {};
  },
  emitWithAck: async ({ name, event, args = [], timeoutMs = DEFAULT_TIMEOUT_MS }) => {
    const socket = socketNamed(name);
    const acked = new Promise((resolve) => socket.emit(event, ...fromWire(args), (...ack) => resolve(ack)));
    return { ack: toWire(await withTimeout(acked, timeoutMs)) };
  },
  ackPolicy: async ({ name, event, reply }) => {
    ackPolicies.set(`${name}\0${event}`, reply === "echo" || reply == null ? "echo" : fromWire(reply));
    return {};
  },
  disconnect: async ({ name }) => {
    socketNamed(name).disconnect();
    return {};
  },
  raw: async ({ name, packet }) => {
    writeRawPacket(client, engineOf(name), packet);
    return {};
  },
  rawBinary: async ({ name, base64 }) => {
    engineOf(name).write(Buffer.from(base64, "base64"));
    return {};
  },
  cut: async ({ name }) => {
    const transport = engineOf(name).transport;
    const tcp = transport?.ws?._socket;
    if (transport?.name !== "websocket" || !tcp) throw new Error(`socket "${name}" has no websocket to cut`);
    tcp.destroy();
    return {};
  },
  reconnect: async ({ name, url, timeoutMs = DEFAULT_TIMEOUT_MS }) => {
    const socket = socketNamed(name);
    // connect() does nothing on a socket that still counts as connected: a cut whose close this client
    // has not processed yet is waited for, so the reconnection always happens.
    const waitedForClose = socket.connected;
    if (waitedForClose) {
      await withTimeout(new Promise((resolve) => socket.once("disconnect", resolve)), timeoutMs);
    }
    if (url) socket.io.uri = url;
    socket.connect();
    return { waitedForClose };
  },
  close: async () => {
    closeAll();
    return { exit: true };
  },
};

async function connect({ name, url, nsp = "/", auth, transports = ["websocket"], timeoutMs = DEFAULT_TIMEOUT_MS, connection }) {
  const existing = sockets.get(name);
  if (existing?.socket.connected) throw new Error(`a connected socket is already named "${name}"`);
  existing?.socket.disconnect();

  const entry = connectionFor(url, transports, connection, nsp, auth, timeoutMs);
  entry.namespaces.add(nsp);
  const socket = client.newSocket(entry.manager, nsp, auth);
  sockets.set(name, { socket, connection: entry });
  const outcome = observe(name, socket);
  try {
    await withTimeout(outcome, timeoutMs);
  } catch (err) {
    socket.disconnect();
    sockets.delete(name);
    throw err;
  }
  const engine = entry.manager.engine;
  return { sid: socket.id, engineId: engine?.id, transport: engine?.transport?.name };
}

/** The connection a new socket joins: the named one, or the first to url + transports without `nsp` yet. */
function connectionFor(url, transports, connection, nsp, auth, timeoutMs) {
  const key = `${url}\0${transports.join(",")}`;
  const usable = (c) => c.key === key && !client.isClosed(c.manager) && !c.namespaces.has(nsp);
  let entry = connection == null
    ? connections.find((c) => c.connection == null && usable(c))
    : connections.find((c) => c.connection === connection);
  if (entry && !usable(entry)) {
    throw new Error(`connection "${connection}" is closed, is for another url or transports, or already has ${nsp}`);
  }
  if (!entry) {
    entry = { key, connection, manager: client.newManager(url, { transports, timeoutMs, auth }), namespaces: new Set() };
    connections.push(entry);
  }
  return entry;
}

/** Reports the socket's events on stdout; resolves on its first connect, rejects on a connect error. */
function observe(name, socket) {
  client.onServerEvent(socket, (event, args, ack) => {
    send({ event, name, args: toWire(args), hasAck: ack !== undefined });
    const policy = ack && ackPolicies.get(`${name}\0${event}`);
    if (policy) ack(...(policy === "echo" ? args : policy));
  });
  socket.on("disconnect", (reason) => send({ event: "$disconnect", name, reason }));
  client.onOtherError(socket, (message) => send({ event: "$error", name, message }));
  return new Promise((resolve, reject) => {
    socket.on("connect", () => {
      send({ event: "$connect", name, sid: socket.id, engineId: socket.io.engine?.id, recovered: socket.recovered === true });
      resolve();
    });
    client.onConnectError(socket, (message, data) => {
      send({ event: "$connect_error", name, message, data: toWire(data) });
      reject(new Error(message));
    });
  });
}

function socketNamed(name) {
  const entry = sockets.get(name);
  if (!entry) throw new Error(`no socket named "${name}"`);
  return entry.socket;
}

function engineOf(name) {
  const engine = socketNamed(name).io.engine;
  if (!engine) throw new Error(`socket "${name}" has no Engine.IO connection`);
  return engine;
}

function closeAll() {
  for (const { socket } of sockets.values()) socket.disconnect();
  for (const { manager } of connections) manager.disconnect();
  sockets.clear();
  connections.length = 0;
}

async function handle(line) {
  let command;
  try {
    command = JSON.parse(line);
  } catch {
    process.stderr.write(`driver: not JSON: ${line}\n`);
    return;
  }
  const { id, cmd } = command;
  const run = commands[cmd];
  try {
    if (!run) throw new Error(`unknown command "${cmd}"`);
    const { exit, ...reply } = await run(command);
    send({ id, ok: true, ...reply }, exit ? () => process.exit(0) : undefined);
  } catch (err) {
    send({ id, ok: false, error: messageOf(err) });
  }
}

const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.trim()) handle(line);
});
input.on("close", () => {
  closeAll();
  process.exit(0);
});
