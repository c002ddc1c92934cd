#!/usr/bin/env node
// Load for the fault tests: N real socket.io-client v4 sockets on /bench, spread over the distributors,
// each sending acked `echo` requests at a modest rate, and two of them asking the backend for numbered
// broadcasts (`fire("", "b:<n>")`, acked once the backend published it). Every outcome is counted:
// answered, error-acked (an answer that is not the echo), timed out, failed by a disconnect (socket.io-client
// 4.8 calls a pending ack with "socket has been disconnected" when the connection closes: the client is told,
// so this is not a silent loss); disconnects and their reasons; which numbered broadcasts each socket received.
// Requests are sent only while a socket is connected: none is buffered by socket.io-client across a reconnect.
//
// Usage: node fault-load.mjs <url,url,...> <clients> <echoIntervalMs> <fireIntervalMs> <ackTimeoutMs> <maxSeconds>
// stdin, one command per line:
//   mark <name>   remember this moment (a fault was injected); "since" figures are relative to the last mark
//   fire on|off   start / stop the numbered broadcasts
//   echo on|off   start / stop the echo requests
//   report        print {"type":"report", ...} with every figure (see report() below)
//   quit          close every socket and exit
// stdout: {"type":"stats", ...} every 200 ms, {"type":"report", ...} on request. The process exits by
// itself after maxSeconds, so it never outlives a test run.
import { io } from "socket.io-client";
import readline from "node:readline";

const [urlList, clientsArg, echoArg, fireArg, ackTimeoutArg, maxSecondsArg] = process.argv.slice(2);
if (!urlList || !clientsArg) {
  console.error("usage: node fault-load.mjs <url,url,...> <clients> <echoIntervalMs> <fireIntervalMs> <ackTimeoutMs> <maxSeconds>");
  process.exit(2);
}
const urls = urlList.split(",");
const clientCount = Number(clientsArg);
const echoIntervalMs = Number(echoArg ?? 500);
const fireIntervalMs = Number(fireArg ?? 100);
const ackTimeoutMs = Number(ackTimeoutArg ?? 5000);
const maxSeconds = Number(maxSecondsArg ?? 120);
const FIRERS = Math.min(2, clientCount); // clients 0 and 1: one on each of the first two distributors

const now = () => performance.now();
const started = now();
const marks = [];
let echoOn = true;
let fireOn = false;
let nextFire = 1;
const fires = new Map(); // seq -> { sentAt, outcome: "pending"|"ok"|"error"|"timeout"|"disconnected"|"unsent", doneAt }
const errorSamples = [];

const clients = [];
for (let i = 0; i < clientCount; i++) {
  const group = i % urls.length;
  const socket = io(`${urls[group]}/bench`, {
    transports: ["websocket"],
    forceNew: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    timeout: 5000,
  });
  const client = {
    index: i,
    group,
    socket,
    connects: 0,
    disconnects: [],
    connectErrors: 0,
    requests: [], // { sentAt, outcome: "pending"|"ok"|"error"|"timeout"|"disconnected", doneAt }
    ticks: new Set(),
    duplicateTicks: 0,
  };
  socket.on("connect", () => client.connects++);
  socket.on("disconnect", (reason) => client.disconnects.push({ at: now(), reason }));
  socket.on("connect_error", () => client.connectErrors++);
  socket.on("tick", (payload) => {
    const seq = typeof payload === "string" && payload.startsWith("b:") ? Number(payload.slice(2)) : NaN;
    if (Number.isNaN(seq)) return;
    if (client.ticks.has(seq)) client.duplicateTicks++;
    client.ticks.add(seq);
  });
  clients.push(client);
}

/** What an ack error means: the ack timeout passed (a silent loss) or the connection closed first (the client is told). */
function failure(err) {
  return err && err.message === "socket has been disconnected" ? "disconnected" : "timeout";
}

function sendEcho(client) {
  if (!echoOn || !client.socket.connected) return;
  const payload = `c${client.index}-${client.requests.length}`;
  const request = { sentAt: now(), outcome: "pending", doneAt: 0 };
  client.requests.push(request);
  client.socket.timeout(ackTimeoutMs).emit("echo", payload, (err, answer) => {
    request.doneAt = now();
    if (err) {
      request.outcome = failure(err);
    } else if (answer === payload) {
      request.outcome = "ok";
    } else {
      request.outcome = "error";
      if (errorSamples.length < 5) errorSamples.push(answer ?? null);
    }
  });
}

function sendFire() {
  if (!fireOn) return;
  const seq = nextFire++;
  const firer = clients[seq % FIRERS];
  // The other firer takes over when this one's distributor is gone.
  const sender = firer.socket.connected ? firer : clients.slice(0, FIRERS).find((c) => c.socket.connected);
  const fire = { sentAt: now(), outcome: "pending", doneAt: 0, unsent: !sender };
  fires.set(seq, fire);
  if (!sender) {
    fire.outcome = "unsent";
    return;
  }
  sender.socket.timeout(ackTimeoutMs).emit("fire", "", `b:${seq}`, (err, answer) => {
    fire.doneAt = now();
    fire.outcome = err ? failure(err) : answer === "ok" ? "ok" : "error";
    if (fire.outcome === "error" && errorSamples.length < 5) errorSamples.push(answer ?? null);
  });
}

// Each client echoes on its own timer, started at a random offset so the load is even.
for (const client of clients) {
  setTimeout(() => {
    sendEcho(client);
    setInterval(() => sendEcho(client), echoIntervalMs);
  }, Math.random() * echoIntervalMs);
}
setInterval(sendFire, fireIntervalMs);

function count(list, outcome) {
  let n = 0;
  for (const item of list) if (item.outcome === outcome) n++;
  return n;
}

function lastMark() {
  return marks.length ? marks[marks.length - 1] : { name: "start", at: started };
}

/** Figures since a mark: which clients work again, and how long requests kept failing after it. */
function since(mark, withBroadcasts = false) {
  let working = 0;
  let allWorkingAt = 0;
  let failedSent = 0;
  let lastBad = 0;
  let maxLatency = 0;
  let inFlightLost = 0;
  let disconnects = 0;
  for (const client of clients) {
    for (const d of client.disconnects) if (d.at >= mark.at) disconnects++;
    let firstOk = Infinity;
    for (const r of client.requests) {
      if (r.sentAt < mark.at) {
        // In flight at the mark and then not answered: lost to the fault.
        if (r.doneAt >= mark.at && r.outcome !== "ok" && r.outcome !== "pending") inFlightLost++;
        // In flight at the mark and answered only much later (held or re-sent): the fault lasted until then.
        if (r.outcome === "ok" && r.doneAt >= mark.at && r.doneAt - r.sentAt > 1000) lastBad = Math.max(lastBad, r.doneAt - mark.at);
        continue;
      }
      if (r.outcome === "ok") {
        firstOk = Math.min(firstOk, r.doneAt);
        const latency = r.doneAt - r.sentAt;
        maxLatency = Math.max(maxLatency, latency);
        if (latency > 1000) lastBad = Math.max(lastBad, r.doneAt - mark.at);
      } else if (r.outcome !== "pending") {
        failedSent++;
        lastBad = Math.max(lastBad, r.sentAt - mark.at);
      }
    }
    if (firstOk !== Infinity) {
      working++;
      allWorkingAt = Math.max(allWorkingAt, firstOk);
    }
  }
  return {
    mark: mark.name,
    working,
    allWorkingMs: working === clients.length ? Math.round(allWorkingAt - mark.at) : null,
    failedSent,
    inFlightLost,
    disconnects,
    ...(withBroadcasts ? broadcastsSince(mark) : {}),
    lastBadMs: Math.round(lastBad),
    maxLatencyMs: Math.round(maxLatency),
  };
}

function stats() {
  let connected = 0;
  let disconnects = 0;
  let ok = 0;
  let bad = 0;
  for (const client of clients) {
    if (client.socket.connected) connected++;
    disconnects += client.disconnects.length;
    for (const r of client.requests) {
      if (r.outcome === "ok") ok++;
      else if (r.outcome !== "pending") bad++;
    }
  }
  const s = since(lastMark());
  return { type: "stats", t: Math.round(now() - started), connected, disconnects, echoOk: ok, echoBad: bad, working: s.working, allWorkingMs: s.allWorkingMs, fires: nextFire - 1 };
}

/** Broadcasts requested after a mark: acked, their deliveries that some client never got, and requests that failed. */
function broadcastsSince(mark) {
  const after = [...fires.entries()].filter(([, f]) => f.sentAt >= mark.at);
  const acked = after.filter(([, f]) => f.outcome === "ok").map(([seq]) => seq);
  let broadcastsMissing = 0;
  for (const client of clients) for (const seq of acked) if (!client.ticks.has(seq)) broadcastsMissing++;
  const firesFailed = after.filter(([, f]) => f.outcome !== "ok" && f.outcome !== "pending").length;
  return { broadcastsAcked: acked.length, broadcastsMissing, firesFailed };
}

/** Everything, per distributor group and in total. */
function report() {
  const fireList = [...fires.entries()];
  const okFires = fireList.filter(([, f]) => f.outcome === "ok").map(([seq]) => seq);
  const missingSeqs = new Set();
  const groups = urls.map((url, group) => {
    const members = clients.filter((c) => c.group === group);
    const requests = members.flatMap((c) => c.requests);
    let missing = 0;
    let delivered = 0;
    let clientsWithGaps = 0;
    for (const c of members) {
      let gaps = 0;
      for (const seq of okFires) {
        if (!c.ticks.has(seq)) {
          gaps++;
          missingSeqs.add(seq);
        }
      }
      missing += gaps;
      delivered += c.ticks.size;
      if (gaps > 0) clientsWithGaps++;
    }
    const reasons = {};
    for (const c of members) for (const d of c.disconnects) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
    return {
      url,
      clients: members.length,
      connected: members.filter((c) => c.socket.connected).length,
      disconnects: members.reduce((n, c) => n + c.disconnects.length, 0),
      disconnectReasons: reasons,
      connectErrors: members.reduce((n, c) => n + c.connectErrors, 0),
      echo: { sent: requests.length, ok: count(requests, "ok"), errorAcks: count(requests, "error"), timeouts: count(requests, "timeout"), pending: count(requests, "pending"), disconnected: count(requests, "disconnected") },
      broadcasts: { delivered, missing, clientsWithGaps, duplicates: members.reduce((n, c) => n + c.duplicateTicks, 0) },
    };
  });
  const sum = (f) => groups.reduce((n, g) => n + f(g), 0);
  const fireValues = fireList.map(([, f]) => f);
  // Broadcasts whose fire was not acked but that reached someone anyway (the ack was what got lost).
  const deliveredUnacked = fireList.filter(([seq, f]) => f.outcome !== "ok" && clients.some((c) => c.ticks.has(seq))).length;
  return {
    type: "report",
    t: Math.round(now() - started),
    clients: clientCount,
    connected: sum((g) => g.connected),
    disconnects: sum((g) => g.disconnects),
    echo: {
      sent: sum((g) => g.echo.sent),
      ok: sum((g) => g.echo.ok),
      errorAcks: sum((g) => g.echo.errorAcks),
      timeouts: sum((g) => g.echo.timeouts),
      pending: sum((g) => g.echo.pending),
      disconnected: sum((g) => g.echo.disconnected),
    },
    fires: {
      sent: fireValues.length,
      ok: okFires.length,
      errorAcks: count(fireValues, "error"),
      timeouts: count(fireValues, "timeout"),
      unsent: count(fireValues, "unsent"),
      pending: count(fireValues, "pending"),
      disconnected: count(fireValues, "disconnected"),
      deliveredUnacked,
    },
    broadcastsMissing: sum((g) => g.broadcasts.missing),
    broadcastsMissingDistinct: missingSeqs.size,
    errorSamples,
    marks: marks.map((m) => ({ name: m.name, atMs: Math.round(m.at - started) })),
    since: marks.map((m) => since(m, true)),
    groups,
  };
}

const statsTimer = setInterval(() => console.log(JSON.stringify(stats())), 200);

function quit(code) {
  clearInterval(statsTimer);
  for (const client of clients) client.socket.close();
  // Let the close frames go out, then leave.
  setTimeout(() => process.exit(code), 100).unref();
}

setTimeout(() => {
  console.log(JSON.stringify({ type: "expired", after: maxSeconds }));
  quit(3);
}, maxSeconds * 1000).unref();

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  switch (command) {
    case "mark":
      marks.push({ name: arg ?? `mark${marks.length + 1}`, at: now() });
      console.log(JSON.stringify({ type: "marked", name: arg }));
      break;
    case "fire":
      fireOn = arg !== "off";
      break;
    case "echo":
      echoOn = arg !== "off";
      break;
    case "report":
      console.log(JSON.stringify(report()));
      break;
    case "quit":
      quit(0);
      break;
    default:
      console.log(JSON.stringify({ type: "unknown", line }));
  }
}).on("close", () => quit(0));
