#!/usr/bin/env node
// The demo in a real browser: headless Chromium (the system one, driven by playwright-core) opens
// the demo page on two distributors and plays it as two people would. Prints one JSON line:
//   { ok, pages: { alice: {url, distributor, transport, namespaces}, bob: {...} }, screenshots, checks: [{ name, ok, detail? }], error }
// and exits 0 only when every check passed.
//
// Usage: node browser-demo.mjs <url1> <url2> <folder> [chromium]
//   url1, url2  the two distributors' base addresses, e.g. http://127.0.0.1:8001/
//   folder      where the screenshots go (alice.png, bob.png); also the hand-shake files below
//   chromium    the browser binary (default: $CHROMIUM or /usr/bin/chromium)
//
// Hand-shake, so a caller can inspect the deployment while both pages are still connected: once the
// checks and screenshots are done the script prints {"stage":"ready",...}, writes <folder>/ready and
// keeps the pages open until <folder>/release exists (at most HOLD_TIMEOUT_MS, then it fails).
// After a failed check it does not hold: it ends at once.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { Report, describe } from "./lib/report.mjs";

const STEP_TIMEOUT_MS = 10000;
const HOLD_TIMEOUT_MS = 30000;
const SCRIPT_TIMEOUT_MS = 60000 + HOLD_TIMEOUT_MS;
const NAMESPACES = ["/chat", "/gameA", "/gameB"];
const TABLE = "t1";
const CELL = 4;
const LAUNCH_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const [url1, url2, folder, executable = process.env.CHROMIUM || "/usr/bin/chromium"] = process.argv.slice(2);
const report = new Report({ pages: {}, screenshots: [] });
let browser = null;

async function finish() {
  await browser?.close().catch(() => {});
  console.log(JSON.stringify(report));
  process.exit(report.ok ? 0 : 1);
}

if (!url1 || !url2 || !folder) {
  report.error = "usage: node browser-demo.mjs <url1> <url2> <screenshot folder> [chromium]";
  await finish();
}

setTimeout(() => {
  report.error = `the browser scenario did not finish within ${SCRIPT_TIMEOUT_MS} ms`;
  finish();
}, SCRIPT_TIMEOUT_MS).unref();

try {
  await run();
} catch (err) {
  report.error = describe(err);
}
await finish();

async function run() {
  if (!existsSync(executable)) {
    throw new Error(`no Chromium at ${executable}: install it (apt-get install chromium) or set CHROMIUM`);
  }

  mkdirSync(folder, { recursive: true });
  for (const file of ["ready", "release", "alice.png", "bob.png"]) rmSync(path.join(folder, file), { force: true });

  // playwright gives every launch a fresh temporary profile (--user-data-dir) and deletes it on close.
  browser = await chromium.launch({ executablePath: executable, args: LAUNCH_ARGS, timeout: STEP_TIMEOUT_MS });
  const alice = await openPage("alice", url1);
  const bob = await openPage("bob", url2);

  await report.step("both pages connect all three namespaces over one WebSocket", async () => {
    for (const page of [alice, bob]) {
      await page.waitForFunction(
        (expected) => {
          const shown = document.getElementById("namespaces").textContent.split(", ");
          return expected.every((n) => shown.includes(n)) && document.getElementById("distributor").textContent !== "…";
        },
        NAMESPACES,
        { timeout: STEP_TIMEOUT_MS },
      );
      const info = report.meta.pages[page.who];
      info.distributor = await page.textContent("#distributor");
      info.transport = await page.textContent("#transport");
      info.namespaces = await page.textContent("#namespaces");
    }

    const a = report.meta.pages.alice;
    const b = report.meta.pages.bob;
    report.check("alice's page shows distributor 1", a.distributor.includes(`(port ${new URL(url1).port})`), a.distributor);
    report.check("bob's page shows distributor 2", b.distributor.includes(`(port ${new URL(url2).port})`), b.distributor);
    report.check("the pages are on different distributors", a.distributor.split(" ")[0] !== b.distributor.split(" ")[0], `${a.distributor} / ${b.distributor}`);
    report.checkEqual("alice's transport", a.transport, "websocket");
    report.checkEqual("bob's transport", b.transport, "websocket");
  });

  const text = `hello bob, from alice on distributor 1 (${Date.now() % 100000})`;
  await report.step("a chat message typed by alice appears on bob's page", async () => {
    await alice.fill("#message", text);
    await alice.selectOption("#channel", "en");
    await alice.click("#send");
    // The ack (null, "ok") clears the input; an error would show in #chat-error.
    await alice.waitForFunction(() => document.getElementById("message").value === "", null, { timeout: STEP_TIMEOUT_MS });
    report.checkEqual("alice's #chat-error", await alice.textContent("#chat-error"), "");
    const line = bob.locator("#messages li", { hasText: text });
    await line.waitFor({ timeout: STEP_TIMEOUT_MS });
    report.checkEqual("bob sees alice's message", await line.textContent(), `[en]alice: ${text}`);
    const own = alice.locator("#messages li", { hasText: text });
    await own.waitFor({ timeout: STEP_TIMEOUT_MS });
    report.checkEqual("alice sees her own message", await own.count(), 1);
  });

  await report.step(`both join table ${TABLE}`, async () => {
    for (const page of [alice, bob]) {
      await page.fill("#table", TABLE);
      await page.click("#join");
      await page.waitForFunction(
        (table) => document.getElementById("game-status").textContent.startsWith(`table ${table}, `),
        TABLE,
        { timeout: STEP_TIMEOUT_MS },
      );
      report.checkEqual(`${page.who}'s board is new`, await page.textContent("#game-status"), `table ${TABLE}, 0 moves`);
      // The Join button also joins the dice table on /gameB, but the page shows nothing when that
      // completes: wait for it by sending the same (idempotent) join on the page's own /gameB socket.
      const joined = await page.evaluate(
        ({ table, ms }) => new Promise((resolve) => {
          // The backend acks (error, table); timeout() puts its own error first.
          gameB.timeout(ms).emit("join", table, (late, error, joined) => resolve(late ? `no ack: ${late.message}` : error ? `error: ${error}` : joined));
        }),
        { table: TABLE, ms: STEP_TIMEOUT_MS },
      );
      report.checkEqual(`${page.who} is at dice table ${TABLE}`, joined, TABLE);
    }
  });

  await report.step("alice's tic-tac-toe move shows on bob's board", async () => {
    await alice.click(`#cells button[data-cell="${CELL}"]`);
    const cell = `#cells button[data-cell="${CELL}"]`;
    await bob.waitForFunction((selector) => document.querySelector(selector).textContent === "X", cell, { timeout: STEP_TIMEOUT_MS });
    report.checkEqual("bob's board", await cells(bob), ["", "", "", "", "X", "", "", "", ""]);
    report.checkEqual("bob's game status", await bob.textContent("#game-status"), `table ${TABLE}, 1 moves`);
    await alice.waitForFunction((selector) => document.querySelector(selector).textContent === "X", cell, { timeout: STEP_TIMEOUT_MS });
    report.checkEqual("alice's board", await cells(alice), ["", "", "", "", "X", "", "", "", ""]);
  });

  await report.step("bob's dice roll shows on alice's page", async () => {
    const bobSocket = await bob.evaluate(() => gameB.id);
    await bob.click("#roll");
    const seen = alice.locator("#rolls li").first();
    await seen.waitFor({ timeout: STEP_TIMEOUT_MS });
    const line = await seen.textContent();
    report.check("alice sees bob's roll", new RegExp(`^${bobSocket.slice(-4)} rolled [1-6]$`).test(line), `${line} (bob's /gameB socket ${bobSocket})`);
    const own = bob.locator("#rolls li").first();
    await own.waitFor({ timeout: STEP_TIMEOUT_MS });
    report.checkEqual("bob sees the same roll", await own.textContent(), line);
  });

  for (const page of [alice, bob]) {
    const file = path.join(folder, `${page.who}.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: STEP_TIMEOUT_MS });
    report.meta.screenshots.push(file);
  }

  for (const page of [alice, bob]) {
    report.checkEqual(`${page.who}'s page had no script errors`, page.errors, []);
  }

  // After a failure there is nothing worth inspecting: end at once rather than hold the pages.
  if (!report.ok) return;
  await hold();

  await report.step("both pages are still connected after the hold", async () => {
    for (const page of [alice, bob]) {
      report.checkEqual(`${page.who}'s namespaces`, (await page.textContent("#namespaces")).split(", ").sort(), [...NAMESPACES].sort());
    }
  });
}

async function openPage(who, base) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.who = who;
  page.errors = [];
  page.on("pageerror", (err) => page.errors.push(describe(err)));
  page.on("console", (msg) => {
    // The demo serves no favicon: the browser's request for it is not the page's error.
    if (msg.type() === "error" && !msg.location().url.endsWith("/favicon.ico")) page.errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on("dialog", (dialog) => { page.errors.push(`dialog: ${dialog.message()}`); dialog.dismiss().catch(() => {}); });
  const url = new URL(`?name=${who}`, base).href;
  report.meta.pages[who] = { url };
  await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  return page;
}

function cells(page) {
  return page.$$eval("#cells button", (buttons) => buttons.map((b) => b.textContent));
}

// Tells the caller the pages are ready to be inspected, then waits (bounded) for its release file.
async function hold() {
  console.log(JSON.stringify({ stage: "ready", pages: report.meta.pages }));
  writeFileSync(path.join(folder, "ready"), "ready\n");
  const release = path.join(folder, "release");
  const deadline = Date.now() + HOLD_TIMEOUT_MS;
  while (!existsSync(release)) {
    if (Date.now() > deadline) {
      report.check("the caller released the pages", false, `no ${release} within ${HOLD_TIMEOUT_MS} ms`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
