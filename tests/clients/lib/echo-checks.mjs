// The echo host's contract, checked on one namespace.
import { nextEvent, withTimeout } from "./report.mjs";

const binary = () => Buffer.from([0, 1, 2, 3, 127, 128, 254, 255]);

/** Argument lists sent with `message`; each must come back as `message-back` unchanged. */
const MESSAGES = {
  string: ["hello, ünïcødé ✓"],
  number: [42.5],
  object: [{ a: 1, nested: { list: [1, "two", null, true] }, empty: {} }],
  binary: [binary()],
  "mixed args with nested binary": ["several", 7, { file: binary(), name: "f.bin" }, [binary()]],
};

/** Argument lists sent with `message-with-ack`; the ack must carry them back unchanged. */
const ACKED = {
  json: ["ack me", 3, { deep: { x: [1, 2] } }],
  binary: [binary(), { inner: binary() }],
};

/** Emits and resolves with the ack's arguments (v2 and v4 both take the ack as the last argument). */
function emitWithAck(socket, event, args, ms) {
  const acked = new Promise((resolve) => socket.emit(event, ...args, (...ackArgs) => resolve(ackArgs)));
  return withTimeout(acked, ms, `the ack of "${event}"`);
}

export async function checkNamespace(report, socket, nsp, { authEvent, expectedAuth, timeoutMs }) {
  await report.step(`${nsp} auth`, async () => {
    const [auth] = await authEvent;
    report.checkEqual(`${nsp} auth`, auth, expectedAuth);
  });

  for (const [kind, args] of Object.entries(MESSAGES)) {
    await report.step(`${nsp} message-back ${kind}`, async () => {
      const back = nextEvent(socket, "message-back", timeoutMs);
      socket.emit("message", ...args);
      report.checkEqual(`${nsp} message-back ${kind}`, await back, args);
    });
  }

  for (const [kind, args] of Object.entries(ACKED)) {
    await report.step(`${nsp} message-with-ack ${kind}`, async () => {
      report.checkEqual(`${nsp} message-with-ack ${kind}`, await emitWithAck(socket, "message-with-ack", args, timeoutMs), args);
    });
  }

  await report.step(`${nsp} server-ack-me`, async () => {
    const request = ["please ack", { n: 1 }];
    const answer = ["acked", { from: nsp }, binary()];
    const asked = new Promise((resolve) => {
      socket.once("server-ack-me", (...args) => {
        const ack = args.pop();
        if (typeof ack !== "function") {
          resolve({ args: [...args, ack], acked: false });
          return;
        }
        ack(...answer);
        resolve({ args, acked: true });
      });
    });
    const received = nextEvent(socket, "server-ack-received", timeoutMs * 2);
    received.catch(() => {}); // awaited below unless an earlier part fails
    socket.emit("request-server-ack", ...request);

    const { args, acked } = await withTimeout(asked, timeoutMs, '"server-ack-me"');
    report.checkEqual(`${nsp} server-ack-me`, args, request);
    const detail = acked ? undefined : "its last argument was not an ack callback";
    if (report.check(`${nsp} server-ack-me has an ack callback`, acked, detail)) {
      report.checkEqual(`${nsp} server-ack-received`, await received, answer);
    }
  });
}
