// What the browser tests share: Debian's Chromium driven by playwright-core (never a downloaded
// browser), a poll with a deadline that names what it waited for, run.sh's environment and the
// sign-in on the dev IdP's page.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, writeFileSync, mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

export async function waitFor(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// e2eEnv is what run.sh hands every browser test: the page to open (with the launch secret), the
// file where $BROWSER records the URLs Desklit opens, the screenshots' folder and the demo
// password; and the browser, launched before the file's tests and closed after them. needs are
// more variables the file cannot do without (DESKLIT_BIN).
export function e2eEnv(...needs) {
  const env = {
    appURL: process.env.DESKLIT_URL,
    urlFile: process.env.DESKLIT_E2E_URL_FILE,
    shots: process.env.DESKLIT_E2E_SHOTS || "test/out",
    password: process.env.DESKLIT_E2E_PASSWORD || "desklit",
    browser: null,
  };
  assert.ok(env.appURL && env.urlFile && needs.every((n) => process.env[n]), "run through test/e2e/run.sh");
  mkdirSync(env.shots, { recursive: true });
  before(async () => { env.browser = await launchChromium(); });
  after(async () => { await env.browser?.close(); });
  return env;
}

// openedURLs are the URLs Desklit opened with $BROWSER since urlFile was last emptied.
export function openedURLs(urlFile) {
  return existsSync(urlFile) ? readFileSync(urlFile, "utf8").split("\n").filter(Boolean) : [];
}

// signInAtIdP empties urlFile, runs start (a click that makes Desklit open the authorize URL
// with $BROWSER), signs in on the dev IdP's page of that URL in a new page of ctx and returns the
// URL. onPage runs on the IdP's page, filled in, before "Sign in" (a screenshot).
export async function signInAtIdP(ctx, { urlFile, password }, start, onPage) {
  writeFileSync(urlFile, "");
  await start();
  const authURL = await waitFor(() => openedURLs(urlFile)[0], "the authorize URL");
  const idp = await ctx.newPage();
  await idp.goto(authURL);
  await idp.locator("#password").fill(password);
  if (onPage) await onPage(idp);
  await idp.getByRole("button", { name: "Sign in" }).click();
  await idp.waitForURL(/127\.0\.0\.1:\d+\/callback/);
  await idp.close();
  return authURL;
}
