// bench/run's second load generator, in another runtime than the servers under test: raw `ws` clients
// speaking Engine.IO v4 / Socket.IO v5 (or SignalR's JSON hub protocol) by hand, spread round-robin over
// the servers' URLs. Same scenarios, options and result rows (JSON lines) as the C# LoadGen, tagged
// "generator": "node".
//
//   node nodegen.js <echo|fanout|light|connections> --target ours --urls http://127.0.0.1:1,http://127.0.0.1:2
//        --pids name=pid[@statsUrl],... --results results.jsonl [--run n] [scenario options as LoadGen's]
//
// Every loop is bounded in count and time; loopback only (the URLs come from bench/run).
'use strict';
const fs = require('fs');
const http = require('http');
const WebSocket = require('ws');

const argv = process.argv.slice(2);
const scenario = argv[0];
const opts = {};
for (let i = 1; i < argv.length; i++) {
  if (argv[i].startsWith('--') && i + 1 < argv.length) opts[argv[i].slice(2)] = argv[++i];
}
const num = (name, fallback) => (opts[name] !== undefined ? Number(opts[name]) : fallback);
const target = opts.target || 'ours';
const protocol = opts.protocol || (target === 'signalr' ? 'signalr' : 'socketio');
const urls = (opts.urls || 'http://127.0.0.1:8001').split(',').filter(Boolean);
const servers = (opts.pids || '').split(',').filter(Boolean).map((spec) => {
  const [name, rest] = spec.split('=');
  const [pid, stats] = rest.split('@');
  return { name, pid: Number(pid), stats };
});
// µs, an integer (it is sent in payloads as digits). performance.now() is a monotonic double (ms) and costs
// a fraction of process.hrtime.bigint() and its BigInt division: it is read once per frame received.
const now = () => Math.round(performance.now() * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- /proc sampling -------------------------------------------------------------------------------
function cpuUs(pid, kernelOnly = false) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((kernelOnly ? 0 : Number(f[11])) + Number(f[12])) * 10000; // USER_HZ 100; stime alone: the kernel's share
}
/** Context switches by thread id (voluntary + nonvoluntary). */
function ctxSwitches(pid) {
  const threads = new Map();
  let tasks = [];
  try { tasks = fs.readdirSync(`/proc/${pid}/task`); } catch { return threads; }
  for (const t of tasks) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
      const v = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(s);
      const n = /^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(s);
      threads.set(t, (v ? Number(v[1]) : 0) + (n ? Number(n[1]) : 0));
    } catch { /* thread ended meanwhile */ }
  }
  return threads;
}
/** Switches in a window: per thread now minus at the start; threads that ended meanwhile are not counted (never negative). */
function ctxDelta(after, before) {
  let total = 0;
  for (const [t, n] of after) total += n - (before.get(t) || 0);
  return total;
}
function rss(pid) {
  const m = /^VmRSS:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}
function machineBusyUs() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) * 10000;
}
function heap(collect) {
  return Promise.all(servers.filter((s) => s.stats).map((s) => new Promise((resolve) => {
    const req = http.get(s.stats + (collect ? '?gc=1' : ''), { timeout: 10000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => { try { resolve([s.name, JSON.parse(body).heap]); } catch { resolve([s.name, -1]); } });
    });
    req.on('error', () => resolve([s.name, -1]));
    req.on('timeout', () => { req.destroy(); resolve([s.name, -1]); });
  }))).then((pairs) => Object.fromEntries(pairs));
}

/** One measured window: server CPU and context switches per process, this generator's CPU, the rest of the machine. */
class Window {
  constructor() {
    this.cpu = Object.fromEntries(servers.map((s) => [s.name, cpuUs(s.pid)]));
    this.kernel = Object.fromEntries(servers.map((s) => [s.name, cpuUs(s.pid, true)]));
    this.ctx = Object.fromEntries(servers.map((s) => [s.name, ctxSwitches(s.pid)]));
    this.self = process.cpuUsage();
    this.loop = performance.eventLoopUtilization();
    this.machine = machineBusyUs();
    this.start = now();
  }
  get elapsed() { return (now() - this.start) / 1e6; }
  writeTo(row, unit, count) {
    const elapsed = this.elapsed;
    const per = (v) => (count > 0 ? v / count : NaN);
    let server = 0;
    let kernel = 0;
    let switches = 0;
    for (const s of servers) {
      const k = cpuUs(s.pid, true) - this.kernel[s.name];
      kernel += k;
      set(row, `kernel_us_per_${unit}.${s.name}`, per(k));
      const c = cpuUs(s.pid) - this.cpu[s.name];
      const x = ctxDelta(ctxSwitches(s.pid), this.ctx[s.name]);
      server += c;
      switches += x;
      set(row, `cpu_us_per_${unit}.${s.name}`, per(c));
      set(row, `ctx_per_${unit}.${s.name}`, per(x));
    }
    const self = process.cpuUsage(this.self);
    const selfCores = (self.user + self.system) / 1e6 / elapsed;
    set(row, 'server_cores', server / 1e6 / elapsed);
    set(row, `server_cpu_us_per_${unit}`, per(server));
    set(row, `server_kernel_us_per_${unit}`, per(kernel));
    set(row, `ctx_switches_per_${unit}`, per(switches));
    set(row, 'loadgen_cores', selfCores);
    // The share of the window this generator's one JS thread was busy (not waiting in epoll): near 1, frames wait
    // in its sockets, and the latency it measures includes its own queue, not only the servers'.
    set(row, 'loadgen_loop_busy', performance.eventLoopUtilization(this.loop).utilization);
    set(row, 'other_cores', Math.max(0, (machineBusyUs() - this.machine - server) / 1e6 / elapsed - selfCores));
    return server;
  }
}

// ---- results ---------------------------------------------------------------------------------------
function newRow(scen, variant = '') {
  return { target, scenario: scen, variant, run: num('run', 1), generator: 'node', values: {}, notes: [] };
}
function set(row, key, value) { row.values[key] = Number.isFinite(value) ? Math.round(value * 1000) / 1000 : 'NaN'; }
function append(row) { fs.appendFileSync(opts.results || 'results.jsonl', JSON.stringify(row) + '\n'); }
function percentiles(samples) {
  if (samples.length === 0) return [NaN, NaN, NaN, NaN];
  const a = Float64Array.from(samples).sort();
  const at = (q) => a[Math.min(a.length - 1, Math.ceil(q * a.length) - 1)] / 1000;
  return [at(0.5), at(0.99), at(0.999), a[a.length - 1] / 1000];
}
const padded = (header, bytes) => header + 'x'.repeat(Math.max(0, bytes - header.length));
/** The unsigned integer that follows key in text (-1 if none); read in place, no slice or regex: it runs per frame. */
function field(text, key) {
  const at = text.indexOf(key);
  if (at < 0) return -1;
  let value = 0;
  let digits = 0;
  for (let i = at + key.length; i < text.length && digits < 16; i++, digits++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  return digits === 0 ? -1 : value;
}

// ---- clients ---------------------------------------------------------------------------------------
/** A raw WebSocket client; onAck(id, text) and onEvent(name, text) are set by the scenario. */
class Client {
  constructor(index) {
    this.index = index;
    this.failure = null;
    this.onAck = null;
    this.onEvent = null;
  }
  connect(nsp, timeoutMs = 30000) {
    const base = urls[this.index % urls.length].replace(/^http/, 'ws');
    const url = protocol === 'signalr' ? base + nsp : base + '/socket.io/?EIO=4&transport=websocket';
    return new Promise((resolve, reject) => {
      // The servers under test send what they send; validating its UTF-8 is not the generator's job (and costs per frame).
      const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
      this.ws = ws;
      let open = false;
      const timer = setTimeout(() => { ws.terminate(); reject(new Error('connect timeout')); }, timeoutMs);
      const fail = (err) => { clearTimeout(timer); if (!open) reject(err); else this.failure = this.failure || String(err); };
      ws.on('error', fail);
      ws.on('close', () => { if (open && !this.closing) this.failure = this.failure || 'closed by the server'; else fail(new Error('closed during the handshake')); });
      const prefix = nsp === '/' ? '' : nsp + ',';
      this.eventPrefix = '42' + prefix;
      this.ackPrefix = '43' + prefix;
      this.disconnectPacket = '41' + prefix;
      if (protocol === 'signalr') {
        ws.on('open', () => ws.send('{"protocol":"json","version":1}\x1e'));
      }
      ws.on('message', (data) => {
        const text = data.toString();
        if (!open) {
          if (protocol === 'signalr') {
            if (!text.startsWith('{}')) return fail(new Error('SignalR handshake failed: ' + text));
            open = true;
            clearTimeout(timer);
            this.pinger = setInterval(() => this.ws.send('{"type":6}\x1e'), 10000);
            return resolve(this);
          }
          if (text[0] === '0') return ws.send('40' + prefix);
          if (text === '2') return ws.send('3');
          if (text.startsWith('40' + prefix)) { open = true; clearTimeout(timer); return resolve(this); }
          if (text.startsWith('44')) return fail(new Error('CONNECT_ERROR ' + text));
          return undefined;
        }
        this.receive(text);
        return undefined;
      });
    });
  }
  receive(text) {
    if (protocol === 'signalr') {
      for (const one of text.split('\x1e')) {
        if (one.startsWith('{"type":3')) { if (this.onAck) this.onAck(field(one, '"invocationId":"'), one); }
        else if (one.startsWith('{"type":1')) {
          // The target by indexOf, as the event name of the Socket.IO path: the same cost per frame for every setup.
          const at = one.indexOf('"target":"');
          const end = at < 0 ? -1 : one.indexOf('"', at + 10);
          if (this.onEvent) this.onEvent(end > 0 ? one.slice(at + 10, end) : null, one);
        }
      }
      return;
    }
    if (text === '2') { this.ws.send('3'); return; }
    if (text.startsWith(this.ackPrefix)) {
      if (this.onAck) this.onAck(field(text, this.ackPrefix), text);
    } else if (text.startsWith(this.eventPrefix)) {
      // The event name: ["name", ... after the prefix (indexOf, not a regex on a slice: this runs per frame).
      const open = this.eventPrefix.length;
      const close = text.charCodeAt(open) === 91 && text.charCodeAt(open + 1) === 34 ? text.indexOf('"', open + 2) : -1;
      if (this.onEvent) this.onEvent(close > 0 ? text.slice(open + 2, close) : null, text);
    } else if (text.startsWith(this.disconnectPacket)) {
      // A Socket.IO DISCONNECT: the server let go of the client's namespace (the WebSocket stays open).
      this.failure = this.failure || 'disconnected by the server';
    }
  }
  /** argsJson: the JSON of the arguments, comma-separated, without brackets. */
  emit(ev, ackId, argsJson) {
    if (protocol === 'signalr') {
      const id = ackId >= 0 ? `"invocationId":"${ackId}",` : '';
      this.ws.send(`{"type":1,${id}"target":"${ev[0].toUpperCase()}${ev.slice(1)}","arguments":[${argsJson}]}\x1e`);
    } else {
      this.ws.send(`${this.eventPrefix}${ackId >= 0 ? ackId : ''}["${ev}"${argsJson ? ',' + argsJson : ''}]`);
    }
  }
  close() {
    this.closing = true;
    if (this.pinger) clearInterval(this.pinger);
    if (this.ws) this.ws.terminate();
  }
}

async function connectAll(count, parallel, configure, first = 0) {
  const clients = [];
  let failed = 0;
  let firstError = null;
  let next = 0;
  const start = now();
  async function worker() {
    while (next < count) {
      const c = new Client(first + next++);
      if (configure) configure(c);
      try { clients.push(await c.connect('/bench')); } catch (e) { failed++; firstError = firstError || String(e); c.close(); }
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  if (firstError) console.error(`  ${failed} of ${count} connections failed; first: ${firstError}`);
  clients.sort((a, b) => a.index - b.index);
  return { clients, rate: clients.length / ((now() - start) / 1e6), failed };
}
const broken = (clients) => clients.filter((c) => c.failure).length;

// ---- scenarios -------------------------------------------------------------------------------------
async function echo() {
  const count = num('clients', 200);
  const inflight = num('inflight', 4);
  const seconds = num('duration', 10);
  const warmup = num('warmup', 2);
  const maxRequests = num('max-requests', 50000000);
  const payload = padded('p', num('payload', 64));
  const args = `"${payload}"`;
  const pending = new Map();
  const samples = [];
  let measuring = false;
  let stopping = false;
  let completed = 0;
  let sent = 0;
  let bad = 0;
  let nextId = 0;
  const send = (c) => {
    if (stopping || ++sent > maxRequests) return;
    const id = ++nextId;
    pending.set(id, now());
    c.emit('echo', id, args);
  };
  const { clients, failed } = await connectAll(count, 100, (c) => {
    c.onAck = (id, text) => {
      const at = pending.get(id);
      if (at === undefined || !text.includes(payload)) { bad++; return; }
      pending.delete(id);
      if (measuring) { if (samples.length < 8000000) samples.push(now() - at); completed++; }
      send(c);
    };
  });
  console.log(`  echo (node): ${clients.length} clients, ${inflight} in flight each`);
  for (const c of clients) for (let k = 0; k < inflight; k++) send(c);
  await sleep(warmup * 1000);
  const window = new Window();
  measuring = true;
  await sleep(seconds * 1000);
  measuring = false;
  const done = completed;
  const row = newRow('echo');
  const server = window.writeTo(row, 'req', done);
  const elapsed = window.elapsed;
  stopping = true;
  for (let i = 0; i < 100 && pending.size > 0; i++) await sleep(50);
  const [p50, p99, p999, max] = percentiles(samples);
  set(row, 'clients', clients.length);
  set(row, 'inflight', inflight);
  set(row, 'connect_failures', failed);
  set(row, 'requests_per_s', done / elapsed);
  set(row, 'p50_ms', p50); set(row, 'p99_ms', p99); set(row, 'p999_ms', p999); set(row, 'max_ms', max);
  set(row, 'unanswered', pending.size);
  set(row, 'bad_acks', bad);
  set(row, 'broken_connections', broken(clients));
  append(row);
  console.log(`  echo (node): ${(done / elapsed).toFixed(0)} req/s p50 ${p50.toFixed(2)} ms p99 ${p99.toFixed(2)} ms, server CPU ${(server / Math.max(1, done)).toFixed(1)} us/req, loadgen ${row.values.loadgen_cores} cores (loop busy ${row.values.loadgen_loop_busy}) other ${row.values.other_cores} cores, unanswered ${pending.size}`);
  clients.forEach((c) => c.close());
}

async function light() {
  const count = num('clients', 1);
  const rate = num('rate', 0);
  const seconds = num('duration', 10);
  const warmup = num('warmup', 2);
  const maxRequests = num('max-requests', 5000000);
  const args = `"${padded('p', num('payload', 64))}"`;
  const variant = opts.variant || (rate <= 0 ? `${count}x1` : `${count}x${rate}/s`);
  const pending = new Map();
  const samples = [];
  let measuring = false;
  let completed = 0;
  let sent = 0;
  let bad = 0;
  let nextId = 0;
  const end = now() + (warmup + seconds) * 1e6;
  const running = () => now() < end && sent < maxRequests;
  const send = (c) => { const id = ++nextId; sent++; pending.set(id, now()); c.emit('echo', id, args); };
  const { clients, failed } = await connectAll(count, 10, (c) => {
    c.onAck = (id) => {
      const at = pending.get(id);
      if (at === undefined) { bad++; return; }
      pending.delete(id);
      if (measuring) { samples.push(now() - at); completed++; }
      if (rate <= 0 && running()) send(c);
    };
  });
  console.log(`  light ${variant} (node): ${clients.length} clients`);
  const timers = [];
  if (rate <= 0) {
    clients.forEach(send);
  } else {
    clients.forEach((c, i) => {
      // Fixed schedule per client, phases spread over one period; setTimeout chains to the next due time.
      const period = 1e6 / rate;
      let due = now() + (period * i) / Math.max(1, count);
      const tick = () => {
        if (!running()) return;
        send(c);
        due += period;
        timers[i] = setTimeout(tick, Math.max(0, (due - now()) / 1000));
      };
      timers[i] = setTimeout(tick, Math.max(0, (due - now()) / 1000));
    });
  }
  await sleep(warmup * 1000);
  const window = new Window();
  measuring = true;
  await sleep(seconds * 1000);
  measuring = false;
  const done = completed;
  const row = newRow('light', variant);
  const server = window.writeTo(row, 'req', done);
  const elapsed = window.elapsed;
  for (let i = 0; i < 100 && (pending.size > 0 || running()); i++) await sleep(50);
  timers.forEach((t) => clearTimeout(t));
  const [p50, p99, p999, max] = percentiles(samples);
  set(row, 'clients', clients.length);
  set(row, 'connect_failures', failed);
  set(row, 'requests_per_s', done / elapsed);
  set(row, 'p50_ms', p50); set(row, 'p99_ms', p99); set(row, 'p999_ms', p999); set(row, 'max_ms', max);
  set(row, 'unanswered', pending.size);
  set(row, 'bad_acks', bad);
  append(row);
  console.log(`  light ${variant} (node): ${(done / elapsed).toFixed(0)} req/s p50 ${p50.toFixed(3)} ms p99 ${p99.toFixed(3)} ms, server CPU ${(server / Math.max(1, done)).toFixed(1)} us/req, ${row.values.ctx_switches_per_req} ctx/req`);
  clients.forEach((c) => c.close());
}

async function fanout() {
  const count = num('clients', 200);
  const stepSeconds = num('step', 3);
  const maxSteps = num('steps', 8);
  const startRate = num('fanout-start', 5000);
  const factor = num('fanout-factor', 2);
  const p99Limit = num('p99-limit-ms', 100);
  const payloadSize = num('payload', 64);
  const warmup = num('warmup', 0);
  const shape = opts.shape || '';
  const received = new Float64Array(count);
  let step = 0;
  let late = 0;
  let samples = [];
  const { clients, failed } = await connectAll(count, 100, (c) => {
    c.onEvent = (name, text) => {
      if (name !== 'tick') return;
      if (field(text, 'k=') !== step) { late++; return; }
      received[c.index]++;
      if (samples.length < 4000000) samples.push(now() - field(text, 't='));
    };
  });
  const control = (await connectAll(1, 1, null, count)).clients[0];
  if (!control) throw new Error('the control client could not connect');
  console.log(`  fanout (node): ${clients.length} clients`);
  const fire = (k, s) => control.emit('fire', -1, `"","${padded(`k=${k};s=${s};t=${now()};`, payloadSize)}"`);
  // Warm-up at the first rate, unmeasured (step 0 is never counted).
  let rate = Math.max(1, startRate / Math.max(1, clients.length));
  let warmTotal = 0;
  for (const t0 = now(); now() - t0 < warmup * 1e6 && warmTotal < rate * warmup;) {
    const due = Math.min(rate * warmup, Math.floor(((now() - t0) / 1e6) * rate) + 1);
    while (warmTotal < due) fire(0, warmTotal++);
    await sleep(1);
  }
  // The warm-up's deliveries drain before the first step (bounded: 10 s), so no step starts on a backlog.
  for (let i = 0; i < 500 && received.reduce((a, b) => a + b, 0) < warmTotal * clients.length; i++) await sleep(20);
  if (warmup > 0) await sleep(500);
  // The servers' background with every client connected and nothing sent, over one step's length, right before
  // the first step: what of a step's CPU is time-based (timers, heartbeats, the JIT's tail), not per delivery.
  const quietWindow = new Window();
  await sleep(stepSeconds * 1000);
  const quietRow = newRow('fanout');
  const quietSeconds = quietWindow.elapsed;
  quietWindow.writeTo(quietRow, 'second', quietSeconds);
  const quietCores = quietRow.values.server_cores;
  console.log(`  fanout: ${clients.length} clients connected, nothing sent: ${quietCores.toFixed(3)} cores over ${quietSeconds.toFixed(1)} s (all server processes)`);

  const row = newRow('fanout', shape ? `${shape}-all` : 'all');
  let knee = null;
  for (let s = 0; s < maxSteps; s++) {
    received.fill(0);
    samples = [];
    late = 0;
    const stepId = ++step;
    const window = new Window();
    const total = Math.round(rate * stepSeconds);
    let fired = 0;
    const start = now();
    while (fired < total && now() - start < stepSeconds * 2e6) {
      const due = Math.min(total, Math.floor(((now() - start) / 1e6) * rate) + 1);
      while (fired < due) fire(stepId, fired++);
      await sleep(1);
    }
    const fireSeconds = (now() - start) / 1e6;
    const expected = fired * clients.length;
    const sum = () => received.reduce((a, b) => a + b, 0);
    for (let i = 0; i < 150 && sum() < expected; i++) await sleep(20);
    const delivered = sum();
    const probe = newRow('fanout');
    const cpu = window.writeTo(probe, 'delivery', delivered);
    const lost = Math.max(0, expected - delivered);
    const [p50, p99, p999, max] = percentiles(samples);
    const offered = expected / fireSeconds;
    const brk = broken(clients);
    // The server may close the control connection (a backend bounds what waits for one socket's handlers):
    // then the broadcasts stop and the rest of the step counts as lost, for a reason the line names.
    const controlClosed = Boolean(control.failure);
    const ok = lost === 0 && p99 <= p99Limit && brk === 0 && !controlClosed;
    let line = `${rate.toFixed(0)} bc/s x ${clients.length} = ${offered.toFixed(0)} deliveries/s: p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms, lost ${lost}, late ${late}, broken ${brk}, ${(cpu / Math.max(1, delivered)).toFixed(2)} us CPU/delivery, loadgen ${probe.values.loadgen_cores} cores, loop busy ${probe.values.loadgen_loop_busy} (node)`;
    if (controlClosed) line += ', the server closed the control connection';
    console.log(`  fanout: ${line}`);
    row.notes.push(line);
    if (s === 0) {
      set(row, 'first_broadcasts_per_s', fired / fireSeconds);
      set(row, 'first_server_cpu_us_per_delivery', delivered ? cpu / delivered : NaN);
      set(row, 'first_server_kernel_us_per_delivery', probe.values.server_kernel_us_per_delivery);
      set(row, 'first_p99_ms', p99);
      const quietShare = delivered ? (quietCores * 1e6 * window.elapsed) / delivered : NaN;
      set(row, 'quiet_server_cores', quietCores);
      set(row, 'first_quiet_us_per_delivery', quietShare);
      set(row, 'first_rest_us_per_delivery', delivered ? cpu / delivered - quietShare : NaN);
      for (const s of servers) {
        set(row, `quiet_cores.${s.name}`, quietRow.values[`cpu_us_per_second.${s.name}`] / 1e6);
        set(row, `first_cpu_us_per_delivery.${s.name}`, probe.values[`cpu_us_per_delivery.${s.name}`]);
        set(row, `first_kernel_us_per_delivery.${s.name}`, probe.values[`kernel_us_per_delivery.${s.name}`]);
      }
    }
    if (!ok) {
      set(row, 'fail_deliveries_per_s', offered);
      set(row, 'fail_lost', lost);
      set(row, 'fail_p99_ms', p99);
      set(row, 'fail_loadgen_cores', probe.values.loadgen_cores);
      set(row, 'fail_loadgen_loop_busy', probe.values.loadgen_loop_busy);
      set(row, 'fail_control_closed', controlClosed ? 1 : 0);
      break;
    }
    knee = { recipients: clients.length, broadcasts_per_s: fired / fireSeconds, deliveries_per_s: delivered / fireSeconds,
      p50_ms: p50, p99_ms: p99, p999_ms: p999, max_ms: max, lost,
      server_cpu_us_per_delivery: delivered ? cpu / delivered : NaN, server_cores: probe.values.server_cores,
      loadgen_cores: probe.values.loadgen_cores, loadgen_loop_busy: probe.values.loadgen_loop_busy, other_cores: probe.values.other_cores };
    rate *= factor;
    await sleep(500);
  }
  if (knee) for (const [k, v] of Object.entries(knee)) set(row, k, v);
  else set(row, 'deliveries_per_s', 0);
  set(row, 'reached_max_step', row.values.fail_deliveries_per_s === undefined ? 1 : 0);
  set(row, 'connect_failures', failed);
  append(row);
  [...clients, control].forEach((c) => c.close());
}

async function connections() {
  const count = num('clients', 10000);
  const settle = num('settle', 5);
  const warmCount = num('warm', Math.min(200, Math.max(10, Math.floor(count / 20))));
  const warm = (await connectAll(warmCount, 50, null, 1000000)).clients;
  await sleep(1000);
  const heapBefore = await heap(true);
  await sleep(500);
  const rssBefore = Object.fromEntries(servers.map((s) => [s.name, rss(s.pid)]));
  const window = new Window();
  const { clients, rate, failed } = await connectAll(count, num('parallel', 200));
  const connectRow = newRow('connections');
  window.writeTo(connectRow, 'connect', clients.length);
  console.log(`  connections (node): ${clients.length} connected at ${rate.toFixed(0)}/s (${failed} failed); idling ${settle}s`);
  await sleep(settle * 1000);
  const idle = new Window();
  await sleep(Math.max(1, settle / 2) * 1000);
  const idleRow = newRow('connections');
  idle.writeTo(idleRow, 's', idle.elapsed);
  const heapAfter = await heap(true);
  await sleep(500);
  const row = newRow('connections');
  set(row, 'clients', clients.length);
  set(row, 'warm_clients', warm.length);
  set(row, 'alive_after_idle', clients.length - broken(clients));
  set(row, 'connect_failures', failed);
  set(row, 'connects_per_s', rate);
  set(row, 'server_cpu_us_per_connect', connectRow.values.server_cpu_us_per_connect);
  set(row, 'idle_server_cores', idleRow.values.server_cores);
  let totalRss = 0;
  let totalHeap = 0;
  for (const s of servers) {
    const per = (rss(s.pid) - rssBefore[s.name]) / Math.max(1, clients.length);
    totalRss += per;
    set(row, `rss_bytes_per_conn.${s.name}`, per);
    if (heapAfter[s.name] >= 0 && heapBefore[s.name] >= 0) {
      const h = (heapAfter[s.name] - heapBefore[s.name]) / Math.max(1, clients.length);
      totalHeap += h;
      set(row, `heap_bytes_per_conn.${s.name}`, h);
    }
  }
  set(row, 'rss_bytes_per_conn', totalRss);
  set(row, 'heap_bytes_per_conn', totalHeap);
  append(row);
  console.log(`  connections (node): ${(totalRss / 1024).toFixed(1)} KB RSS and ${(totalHeap / 1024).toFixed(1)} KB heap per connection over all server processes`);
  [...clients, ...warm].forEach((c) => c.close());
}

const scenarios = { echo, light, fanout, connections };
if (!scenarios[scenario]) {
  console.error(`usage: node nodegen.js <${Object.keys(scenarios).join('|')}> --target ... --urls ... --pids ... --results ...`);
  process.exit(2);
}
const limit = setTimeout(() => { console.error(`${scenario} (node): over the time limit, abandoned`); process.exit(1); }, num('timeout', 300) * 1000);
scenarios[scenario]().then(() => { clearTimeout(limit); process.exit(0); }, (err) => { console.error(err); process.exit(1); });
