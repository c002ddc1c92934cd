// The driver's view of socket.io-client v4 and v2: the same few operations on both,
// with the API differences between the two versions kept in this file.
import { Manager as ManagerV4 } from "socket.io-client";
import clientV2 from "socket.io-client-v2";
import { messageOf } from "./driver-wire.mjs";

/** Engine.IO packet types by their digit on the wire (the same in Engine.IO 3 and 4). */
const ENGINE_PACKET_TYPES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/**
 * v2 sends its credentials in query strings, which carry only strings: other values are sent as JSON.
 * A non-root namespace's CONNECT packet carries the socket's query (the server's handshake auth);
 * the root namespace is joined implicitly by the Engine.IO handshake, so its auth is always empty.
 */
function toQuery(auth) {
  if (!auth) return undefined;
  return Object.fromEntries(Object.entries(auth).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

const V4 = {
  newManager: (url, { transports, timeoutMs }) =>
    new ManagerV4(url, { transports, timeout: timeoutMs, reconnection: false }),
  newSocket: (manager, nsp, auth) => manager.socket(nsp, auth ? { auth } : {}),
  isClosed: (manager) => manager._readyState === "closed",

  /** Every event the server sends; `ack` is the callback when the server asked for one. */
  onServerEvent(socket, listener) {
    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
      listener(event, args, ack);
    });
  },

  /** A refused CONNECT (CONNECT_ERROR packet) or a failed Engine.IO connection: both are "connect_error". */
  onConnectError(socket, listener) {
    socket.on("connect_error", (err) => listener(messageOf(err), err?.data));
  },

  onOtherError() {},

  sendEnginePacket: (engine, type, data) => engine._sendPacket(type, data),
};

const V2 = {
  newManager: (url, { transports, timeoutMs, auth }) =>
    new clientV2.Manager(url, { transports, timeout: timeoutMs, reconnection: false, query: toQuery(auth) }),
  newSocket: (manager, nsp, auth) => manager.socket(nsp, auth ? { query: toQuery(auth) } : {}),
  isClosed: (manager) => manager.readyState === "closed",

  /** v2 has no onAny: take over `onevent`, which receives every EVENT and BINARY_EVENT packet. */
  onServerEvent(socket, listener) {
    socket.onevent = function onevent(packet) {
      const [event, ...args] = packet.data || [];
      listener(event, args, packet.id == null ? undefined : this.ack(packet.id));
    };
  },

  /**
   * A refused CONNECT arrives as an ERROR packet, which v2 emits as "error" (a string, or { message, data }
   * from a v3+ server); a failed Engine.IO connection is emitted as "connect_error" to every socket.
   */
  onConnectError(socket, listener) {
    socket.on("connect_error", (err) => listener(messageOf(err), err?.data));
    socket.on("error", (err) => {
      if (!socket.connected) listener(messageOf(err), err?.data);
    });
  },

  /** An "error" once connected (v2 also emits Engine.IO errors this way). */
  onOtherError(socket, listener) {
    socket.on("error", (err) => {
      if (socket.connected) listener(messageOf(err));
    });
  },

  sendEnginePacket: (engine, type, data) => engine.sendPacket(type, data),
};

export const CLIENTS = { v4: V4, v2: V2 };

/**
 * Writes `packet` (Engine.IO packet text, e.g. `42["ev"]`) on the socket's Engine.IO connection.
 * A packet whose first character is a known type goes through the engine's own queue; anything else
 * (a malformed packet) is written straight to the current transport, bypassing the encoder.
 */
export function writeRawPacket(client, engine, packet) {
  const type = ENGINE_PACKET_TYPES[Number(packet[0])];
  if (packet.length > 0 && type !== undefined) {
    client.sendEnginePacket(engine, type, packet.slice(1));
    return;
  }
  const transport = engine.transport;
  if (transport?.name === "websocket") {
    transport.ws.send(packet);
  } else if (transport?.name === "polling") {
    transport.doWrite(packet, () => {});
  } else {
    throw new Error(`no open transport to write on (transport: ${transport?.name})`);
  }
}
