// The socket.io 4 peer of bench/run: one server process with the @socket.io/redis-adapter.
// Usage: node --expose-gc server.js --port P --redis-port R
// Namespaces: /bench (echo with ack, join with ack, fire → broadcast "tick") and /chat (the demo chat).
// GET /bench-stats[?gc=1] → {"heap": heapUsed bytes (after a full GC with gc=1)}.
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg('port', '8201'));
const redisPort = Number(arg('redis-port', '6379'));

const httpServer = http.createServer((req, res) => {
  if (req.url.startsWith('/bench-stats')) {
    if (req.url.includes('gc=1') && global.gc) {
      global.gc();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ heap: process.memoryUsage().heapUsed, role: 'socketio' }));
    return;
  }
  res.writeHead(404);
  res.end();
});

async function main() {
  const pub = createClient({ url: `redis://127.0.0.1:${redisPort}` });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { key: 'bench' }) });

  const bench = io.of('/bench');
  bench.on('connection', (socket) => {
    socket.on('echo', (payload, ack) => {
      if (typeof ack === 'function') ack(payload);
    });
    socket.on('join', (room, ack) => {
      socket.join(room);
      if (typeof ack === 'function') ack('ok');
    });
    socket.on('fire', (room, payload) => {
      if (room) bench.to(room).emit('tick', payload);
      else bench.emit('tick', payload);
    });
  });

  // The demo chat (samples/Demo ChatBackend): history on connect, postMessage validated and acked, chatMessage to all.
  const history = [];
  const chat = io.of('/chat');
  chat.on('connection', (socket) => {
    socket.emit('history', history);
    socket.on('postMessage', (request, ack) => {
      const respond = typeof ack === 'function' ? ack : () => {};
      const message = request && typeof request.message === 'string' ? request.message : null;
      const channel = request && request.channel;
      if (!message || !message.trim() || message.length > 500 || (channel !== 'en' && channel !== 'ru')) {
        respond('invalid message');
        return;
      }
      const entry = { sender: 'guest-' + socket.id.slice(-4), message: message.trim(), channel };
      history.push(entry);
      while (history.length > 50) history.shift();
      chat.emit('chatMessage', entry);
      respond(null, 'ok');
    });
  });

  httpServer.listen(port, '127.0.0.1');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
