// Opens a socket.io-client Manager (v4, or v2 for Engine.IO 3) in one of the transport modes,
// hiding the few API differences between the two versions from the scenario.
import { Manager as ManagerV4 } from "socket.io-client";
import clientV2 from "socket.io-client-v2";
import { describe, withTimeout } from "./report.mjs";

/** The transports each mode allows the client; "upgrade" starts on polling and moves to WebSocket. */
export const TRANSPORT_MODES = {
  websocket: ["websocket"],
  polling: ["polling"],
  upgrade: ["polling", "websocket"],
};

export const CLIENT_VERSIONS = ["v4", "v2"];

/**
 * A Manager (one Engine.IO connection) whose namespace sockets carry `credentials`:
 * as the auth payload for v4, as the query string for v2 (which has no auth payload).
 */
export function openManager(version, url, mode, credentials, timeoutMs) {
  const options = { transports: TRANSPORT_MODES[mode], reconnection: false, timeout: timeoutMs };
  if (version === "v4") {
    const manager = new ManagerV4(url, options);
    return {
      manager,
      socket: (nsp) => manager.socket(nsp, { auth: credentials }),
      // The server echoes the namespace's handshake auth.
      expectedAuth: () => credentials,
      namespaceErrorEvent: "connect_error",
    };
  }

  const manager = new clientV2.Manager(url, { ...options, query: credentials });
  return {
    manager,
    socket: (nsp) => manager.socket(nsp, { query: credentials }),
    // EIO3: a non-root namespace's CONNECT packet carries the query, which becomes its auth;
    // the root namespace is joined implicitly, without a CONNECT packet, so its auth is empty.
    expectedAuth: (nsp) => (nsp === "/" ? {} : credentials),
    namespaceErrorEvent: "error",
  };
}

/** Resolves when `socket` connects; rejects with the server's reason on a connect error. */
export function connected(socket, ms, what) {
  if (socket.connected) return Promise.resolve();
  const outcome = new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
      socket.off("error", onError);
    };
    const onConnect = () => {
      cleanup();
      resolve();
    };
    const onError = (err) => {
      cleanup();
      reject(new Error(`connect error: ${describe(err)}`));
    };
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
    socket.on("error", onError);
  });
  return withTimeout(outcome, ms, what);
}
