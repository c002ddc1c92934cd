// The scenario's result: named checks, each passed or failed with a detail, printed as one JSON line.

export class Report {
  constructor(meta) {
    this.meta = meta;
    this.checks = [];
    this.error = null;
  }

  /** Records a check; `detail` says what was seen, so a failure explains itself. */
  check(name, ok, detail) {
    this.checks.push(detail === undefined ? { name, ok: !!ok } : { name, ok: !!ok, detail });
    return !!ok;
  }

  /** Records that `actual` equals `expected` (binary compared by bytes, see `normalize`). */
  checkEqual(name, actual, expected) {
    const a = JSON.stringify(normalize(actual));
    const e = JSON.stringify(normalize(expected));
    return this.check(name, a === e, a === e ? a : `expected ${e} but got ${a}`);
  }

  /** Runs one step; an exception (a timeout, say) becomes a failed check instead of ending the scenario. */
  async step(name, body) {
    try {
      await body();
    } catch (err) {
      this.check(name, false, describe(err));
    }
  }

  get ok() {
    return this.error === null && this.checks.length > 0 && this.checks.every((c) => c.ok);
  }

  toJSON() {
    return { ok: this.ok, ...this.meta, checks: this.checks, error: this.error };
  }
}

/** Resolves with `promise`, or rejects with "timed out after N ms waiting for WHAT". */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The arguments of the next `event` on `emitter`, with a timeout. Register before emitting. */
export function nextEvent(emitter, event, ms, what = `"${event}"`) {
  let listener;
  const received = new Promise((resolve) => {
    listener = (...args) => resolve(args);
    emitter.once(event, listener);
  });
  return withTimeout(received, ms, what).finally(() => emitter.off(event, listener));
}

/** Replaces every binary value (Buffer, ArrayBuffer, typed array) with { $binary: hex } so it compares by bytes. */
export function normalize(value) {
  if (value instanceof ArrayBuffer) return { $binary: Buffer.from(value).toString("hex") };
  if (ArrayBuffer.isView(value)) {
    return { $binary: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex") };
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

export function describe(err) {
  if (err instanceof Error) return err.message || String(err);
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
