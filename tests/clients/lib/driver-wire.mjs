// The driver's JSON-lines protocol on stdin/stdout, and how binary crosses it:
// a Buffer (or any binary value) travels as { "$binary": "<base64>" }.

/** Writes one JSON line on stdout; `done` runs once the line is handed to the OS. */
export function send(message, done) {
  process.stdout.write(JSON.stringify(message) + "\n", done);
}

/** Replaces every binary value (Buffer, ArrayBuffer, typed array) with { $binary: base64 }; drops functions. */
export function toWire(value) {
  if (value instanceof ArrayBuffer) return { $binary: Buffer.from(value).toString("base64") };
  if (ArrayBuffer.isView(value)) {
    return { $binary: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  }
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return typeof value === "function" ? undefined : value;
}

/** The inverse of `toWire`: every { $binary: base64 } object becomes a Buffer. */
export function fromWire(value) {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$binary" && typeof value.$binary === "string") {
      return Buffer.from(value.$binary, "base64");
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

/** An error's message: socket.io-client v4 reports Error objects, v2 often plain strings or { message }. */
export function messageOf(err) {
  if (typeof err === "string") return err;
  if (err instanceof Error) return err.message || String(err);
  if (err && typeof err.message === "string") return err.message;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/** Resolves with `promise`, or rejects with Error("timeout") after `ms`. */
export function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
