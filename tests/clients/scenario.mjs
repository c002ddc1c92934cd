#!/usr/bin/env node
// Drives a real socket.io-client against a Socket.IO echo host and prints one JSON line:
//   { ok, client, transport, url, checks: [{ name, ok, detail? }], error }
// Exits 0 only when every check passed.
//
// Usage: node scenario.mjs <url> <v4|v2> <websocket|polling|upgrade>
//   url        the server's base address, e.g. http://127.0.0.1:5000 (path /socket.io/ is implied)
//   v4 | v2    socket.io-client 4.x (Engine.IO 4) or 2.x (Engine.IO 3)
//   websocket  WebSocket only; polling: HTTP long-polling only; upgrade: polling, then upgrade to WebSocket
import { CLIENT_VERSIONS, TRANSPORT_MODES, connected, openManager } from "./lib/clients.mjs";
import { checkNamespace } from "./lib/echo-checks.mjs";
import { Report, describe, nextEvent, withTimeout } from "./lib/report.mjs";

const STEP_TIMEOUT_MS = 3000;
const SCENARIO_TIMEOUT_MS = 13000;
const CREDENTIALS = { token: "e2e-token", user: "scenario" };
const NAMESPACES = ["/", "/custom"];

const [url, version, mode] = process.argv.slice(2);
const report = new Report({ client: version, transport: mode, url });

function finish() {
  console.log(JSON.stringify(report));
  process.exit(report.ok ? 0 : 1);
}

if (!url || !CLIENT_VERSIONS.includes(version) || !(mode in TRANSPORT_MODES)) {
  report.error = `usage: node scenario.mjs <url> <${CLIENT_VERSIONS.join("|")}> <${Object.keys(TRANSPORT_MODES).join("|")}>`;
  finish();
}

setTimeout(() => {
  report.error = `scenario did not finish within ${SCENARIO_TIMEOUT_MS} ms`;
  finish();
}, SCENARIO_TIMEOUT_MS);

try {
  await run();
} catch (err) {
  report.error = describe(err);
}
finish();

async function run() {
  const client = openManager(version, url, mode, CREDENTIALS, STEP_TIMEOUT_MS);
  const engine = client.manager.engine;
  const firstTransport = engine.transport?.name;
  // What happened on the wire besides the checks: closes and errors explain timeouts.
  const events = (report.meta.events = []);
  const started = Date.now();
  const log = (what) => events.push(`+${Date.now() - started}ms ${what}`);
  engine.on("upgrade", (t) => log(`engine upgrade to ${t?.name}`));
  engine.on("close", (reason, detail) => log(`engine close: ${reason}${detail ? ` (${describe(detail?.description ?? detail)})` : ""}`));
  engine.on("error", (err) => log(`engine error: ${describe(err)}`));
  const upgraded = nextEvent(engine, "upgrade", STEP_TIMEOUT_MS, "the upgrade to WebSocket");
  upgraded.catch(() => {}); // only awaited in upgrade mode

  const sockets = new Map();
  for (const nsp of NAMESPACES) {
    const socket = client.socket(nsp);
    socket.on("disconnect", (reason) => log(`${nsp} disconnect: ${reason}`));
    socket.on("connect_error", (err) => log(`${nsp} connect_error: ${describe(err)}`));
    // Listen before the CONNECT completes: the server emits "auth" right after it.
    const authEvent = nextEvent(socket, "auth", STEP_TIMEOUT_MS, `"auth" on ${nsp}`);
    authEvent.catch(() => {});
    // Also listen now: a failure of the shared connection reaches every namespace at once.
    const connecting = connected(socket, STEP_TIMEOUT_MS, `the connection to ${nsp}`);
    connecting.catch(() => {});
    sockets.set(nsp, { socket, authEvent, connecting });
  }

  for (const [nsp, { connecting }] of sockets) {
    await report.step(`${nsp} connect`, async () => {
      await connecting;
      report.check(`${nsp} connect`, true);
    });
  }
  if (![...sockets.values()].every(({ socket }) => socket.connected)) {
    throw new Error("a namespace did not connect; nothing more to check");
  }

  await checkTransport(engine, firstTransport, upgraded);

  for (const [nsp, { socket, authEvent }] of sockets) {
    await checkNamespace(report, socket, nsp, {
      authEvent,
      expectedAuth: client.expectedAuth(nsp),
      timeoutMs: STEP_TIMEOUT_MS,
    });
  }

  await report.step("/nope is refused", async () => {
    const nope = client.socket("/nope");
    const [err] = await nextEvent(nope, client.namespaceErrorEvent, STEP_TIMEOUT_MS, "the error for /nope");
    const message = typeof err === "string" ? err : err?.message;
    report.check("/nope is refused", message === "Invalid namespace", `error: ${describe(err)}`);
    nope.close();
  });

  // The transport must not have changed while the checks ran.
  report.check("transport after checks", engine.transport?.name === expectedFinalTransport(), `transport: ${engine.transport?.name}`);

  await disconnect(client.manager, engine, sockets);
}

function expectedFinalTransport() {
  return mode === "polling" ? "polling" : "websocket";
}

async function checkTransport(engine, firstTransport, upgraded) {
  if (mode === "upgrade") {
    report.check("transport starts as polling", firstTransport === "polling", `first transport: ${firstTransport}`);
    await report.step("transport upgraded to websocket", async () => {
      const [transport] = await upgraded;
      report.check("transport upgraded to websocket", transport?.name === "websocket", `upgraded to: ${transport?.name}`);
    });
  } else {
    const expected = expectedFinalTransport();
    report.check(`transport is ${expected}`, engine.transport?.name === expected, `transport: ${engine.transport?.name}`);
  }
}

async function disconnect(manager, engine, sockets) {
  await report.step("disconnect", async () => {
    const reasons = [];
    for (const [nsp, { socket }] of sockets) {
      const gone = nextEvent(socket, "disconnect", STEP_TIMEOUT_MS, `"disconnect" on ${nsp}`);
      socket.disconnect();
      const [reason] = await gone;
      reasons.push(`${nsp}: ${reason}`);
    }
    const clientSide = reasons.every((r) => r.endsWith("io client disconnect"));
    report.check("disconnect", clientSide, reasons.join(", "));

    if (engine.readyState !== "closed") {
      const closed = nextEvent(engine, "close", STEP_TIMEOUT_MS, "the Engine.IO connection to close");
      manager.close?.();
      await withTimeout(closed, STEP_TIMEOUT_MS, "the Engine.IO connection to close");
    }
    report.check("engine closed", engine.readyState === "closed", `readyState: ${engine.readyState}`);
  });
}
