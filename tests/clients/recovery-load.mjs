#!/usr/bin/env node
// Many socket.io-client v4 sockets for the connection state recovery load test (RecoveryLoadTests):
// each on its own Engine.IO connection, recording the numbered events "n" (to everyone) and "e" (to the
// room "even", which the backend makes even-numbered sockets join). One JSON command per stdin line,
// one JSON line per reply on stdout.
//
// Usage: node recovery-load.mjs <url> <nsp> <count> [hardLimitSeconds=90]
// Prints {"event":"connected","count":N} once every socket is connected. Commands:
//   {"cmd":"cut"}                    destroys every socket's TCP connection (a network blip for all at once)
//   {"cmd":"reconnect","url":"..."}  once each socket is disconnected, connects it again to url;
//                                    replies {"reconnected":N,"recovered":R,"ms":...} when all are back
//   {"cmd":"settle","n":K,"e":E,"timeoutMs":T}  waits until every socket got n=K (and the even ones e=E),
//                                    then replies with the count of sockets with duplicates, gaps, out of order
import { createInterface } from "node:readline";
import { Manager } from "socket.io-client";
import { send } from "./lib/driver-wire.mjs";

const [url, nsp, countArg, limitArg] = process.argv.slice(2);
const count = Number(countArg);
setTimeout(() => {
  process.stderr.write("recovery-load: hard limit reached, exiting\n");
  process.exit(3);
}, Number(limitArg ?? 90) * 1000).unref();

const CONNECT_BATCH = 100;
const clients = [];

function open(i) {
  const manager = new Manager(url, { transports: ["websocket"], reconnection: false, timeout: 20000 });
  const socket = manager.socket(nsp, { auth: { name: `c${i}`, index: i } });
  const client = { i, socket, n: [], e: [], connects: 0, recovered: 0, sid: null, sidChanged: false };
  socket.on("n", (k) => client.n.push(k));
  socket.on("e", (k) => client.e.push(k));
  socket.on("connect", () => {
    client.connects++;
    if (socket.recovered) client.recovered++;
    if (client.sid && client.sid !== socket.id) client.sidChanged = true;
    client.sid = socket.id;
  });
  clients.push(client);
  return new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (err) => reject(new Error(`socket ${i}: ${err.message}`)));
  });
}

async function connectAll() {
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + CONNECT_BATCH); j++) batch.push(open(j));
    await Promise.all(batch);
  }
  send({ event: "connected", count: clients.length });
}

function cut() {
  let cut = 0;
  for (const { socket } of clients) {
    const tcp = socket.io.engine?.transport?.ws?._socket;
    if (tcp) {
      tcp.destroy();
      cut++;
    }
  }
  return { cut };
}

async function reconnect({ url: next }) {
  const started = Date.now();
  await Promise.all(clients.map((client) => new Promise((resolve, reject) => {
    const { socket } = client;
    const again = () => {
      socket.io.uri = next;
      socket.once("connect", resolve);
      socket.once("connect_error", (err) => reject(new Error(`socket ${client.i}: ${err.message}`)));
      socket.connect();
    };
    if (socket.connected) socket.once("disconnect", again);
    else again();
  })));
  const recovered = clients.filter((c) => c.recovered > 0).length;
  return { reconnected: clients.length, recovered, sidChanged: clients.filter((c) => c.sidChanged).length, ms: Date.now() - started };
}

/** Values received beyond `last`: duplicates, gaps and order against 1..last. */
function check(values, last) {
  const seen = new Set();
  let duplicates = 0;
  let outOfOrder = 0;
  let previous = 0;
  for (const k of values) {
    if (seen.has(k)) duplicates++;
    seen.add(k);
    if (k < previous) outOfOrder++;
    previous = k;
  }
  let gaps = 0;
  for (let k = 1; k <= last; k++) if (!seen.has(k)) gaps++;
  return { duplicates, gaps, outOfOrder };
}

async function settle({ n, e, timeoutMs = 20000 }) {
  const done = (c) => c.n.includes(n) && (c.i % 2 === 1 || c.e.includes(e));
  const deadline = Date.now() + timeoutMs;
  while (!clients.every(done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const summary = { sockets: clients.length, incomplete: 0, withDuplicates: 0, withGaps: 0, outOfOrder: 0, duplicates: 0, gaps: 0, deliveries: 0, examples: [] };
  for (const c of clients) {
    if (!done(c)) summary.incomplete++;
    const checks = [check(c.n, n)];
    if (c.i % 2 === 0) checks.push(check(c.e, e));
    else if (c.e.length > 0) checks.push({ duplicates: c.e.length, gaps: 0, outOfOrder: 0 });
    const dup = checks.reduce((s, x) => s + x.duplicates, 0);
    const gap = checks.reduce((s, x) => s + x.gaps, 0);
    const ooo = checks.reduce((s, x) => s + x.outOfOrder, 0);
    summary.deliveries += c.n.length + c.e.length;
    summary.duplicates += dup;
    summary.gaps += gap;
    if (dup) summary.withDuplicates++;
    if (gap) summary.withGaps++;
    if (ooo) summary.outOfOrder++;
    if ((dup || gap || ooo) && summary.examples.length < 3) {
      const odd = (values) => values.filter((k, at) => at > 0 && k !== values[at - 1] + 1).slice(0, 5).join(",");
      summary.examples.push({ i: c.i, recovered: c.recovered, nBreaks: odd(c.n), eBreaks: odd(c.e), n: c.n.length, e: c.e.length });
    }
  }
  return summary;
}

const commands = { cut: async () => cut(), reconnect, settle };
const input = createInterface({ input: process.stdin });
input.on("line", async (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  try {
    const reply = await commands[command.cmd](command);
    send({ id: command.id, ok: true, ...reply });
  } catch (err) {
    send({ id: command.id, ok: false, error: String(err?.message ?? err) });
  }
});
input.on("close", () => process.exit(0));

connectAll().catch((err) => {
  send({ event: "failed", error: String(err?.message ?? err) });
  process.exit(1);
});
