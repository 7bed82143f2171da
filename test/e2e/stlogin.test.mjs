// End to end in a real browser on an app written for Streamlit's own sign-in (test/projects/
// st-login: st.login, st.user, st.logout, an [auth] of its own), started by run.sh as `desklit run
// <project>`: "Log in" runs Desklit's sign-in (the dev IdP's page, which forbids framing, opened
// as the system browser would), and st.user, as the app itself prints it, holds the session's
// user under Desklit's broker; a second browser with no cookie is signed in without a password
// (single sign-on); st.logout signs Desklit out, so the next st.login asks for the password again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, writeFileSync, mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const appURL = process.env.DESKLIT_URL;
const urlFile = process.env.DESKLIT_E2E_URL_FILE;
const shots = process.env.DESKLIT_E2E_SHOTS || "test/out";
const password = process.env.DESKLIT_E2E_PASSWORD || "desklit";
assert.ok(appURL && urlFile, "run through test/e2e/run.sh");
mkdirSync(shots, { recursive: true });

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});
after(async () => { await browser?.close(); });

const openedURLs = () => (existsSync(urlFile) ? readFileSync(urlFile, "utf8").split("\n").filter(Boolean) : []);

async function waitFor(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// signInAtIdP opens the authorize URL Desklit handed the system browser, checks that the
// provider forbids framing its page, and signs in there.
async function signInAtIdP(ctx, authURL) {
  assert.match(authURL, /^http:\/\/127\.0\.0\.1:9210\/authorize\?.*code_challenge_method=S256/);
  const idp = await ctx.newPage();
  const resp = await idp.goto(authURL);
  assert.equal(resp.headers()["x-frame-options"], "DENY", "the provider's page forbids framing");
  await idp.locator("#password").fill(password);
  await idp.getByRole("button", { name: "Sign in" }).click();
  await idp.waitForURL(/127\.0\.0\.1:9211\/callback/);
  await idp.close();
}

const signedIn = /Signed in as Ada Analyst \(ada@example\.com\) by http:\/\/127\.0\.0\.1:\d+/;

test("st.login app: sign in through Desklit, single sign-on, st.logout signs Desklit out", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(appURL);
  const login = page.getByRole("button", { name: "Log in" });
  await login.waitFor({ timeout: 90000 });
  await page.screenshot({ path: `${shots}/e2e-stlogin-1-signed-out.png` });

  writeFileSync(urlFile, "");
  await login.click();
  await signInAtIdP(ctx, await waitFor(() => openedURLs()[0], "the authorize URL Desklit opened"));
  await page.getByText(signedIn).waitFor({ timeout: 30000 });
  const shown = await page.getByText(signedIn).innerText();
  assert.doesNotMatch(shown, /9210/, "st.user's issuer is Desklit's broker, not the provider");
  await page.screenshot({ path: `${shots}/e2e-stlogin-2-signed-in.png` });

  // Another browser, no cookie of Streamlit's: Log in answers at once, no page, no password.
  writeFileSync(urlFile, "");
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await page2.goto(appURL);
  await page2.getByRole("button", { name: "Log in" }).click();
  await page2.getByText(signedIn).waitFor({ timeout: 30000 });
  assert.deepEqual(openedURLs(), [], "single sign-on: no sign-in page opened");

  // st.logout in the first browser signs Desklit out. The second browser keeps Streamlit's
  // cookie, yet its st.user is signed out at its next run; its next st.login asks again.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("button", { name: "Log in" }).waitFor({ timeout: 30000 });
  assert.ok((await other.cookies()).some((c) => c.name === "_streamlit_user"), "the second browser keeps its cookie");
  await page2.reload();
  await page2.getByRole("button", { name: "Log in" }).waitFor({ timeout: 60000 });
  writeFileSync(urlFile, "");
  await page2.getByRole("button", { name: "Log in" }).click();
  await signInAtIdP(other, await waitFor(() => openedURLs()[0], "a new sign-in after st.logout"));
  await page2.getByText(signedIn).waitFor({ timeout: 30000 });
  await other.close();
  await ctx.close();
});
