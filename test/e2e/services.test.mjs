// End to end in a real browser, in a project shaped like the original design
// (test/projects/notes-flask, started by run.sh as `desklit run <project>` with the index off):
// the Streamlit app calls its own Flask API, which Desklit supervises and which checks the tokens
// itself (PyJWT against the dev IdP's keys). Signed out the secure call gets 401; signed in, 200
// with the user's sub, and the scoped path 200 for the analyst, who holds read:messages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, writeFileSync, mkdirSync } from "node:fs";
import { launchChromium, waitFor } from "./browser.mjs";

const appURL = process.env.DESKLIT_URL;
const urlFile = process.env.DESKLIT_E2E_URL_FILE;
const shots = process.env.DESKLIT_E2E_SHOTS || "test/out";
assert.ok(appURL && urlFile, "run through test/e2e/run.sh");
mkdirSync(shots, { recursive: true });

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => { await browser?.close(); });


test("the app's own Flask API: 401 signed out, 200 with the user's sub signed in", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  try {
    await signOutThenIn(page, ctx);
  } catch (e) {
    await page.screenshot({ path: `${shots}/e2e-services-failed.png` });
    throw e;
  }
  await ctx.close();
});

async function signOutThenIn(page, ctx) {
  await page.goto(appURL);
  await page.getByText(/^public: 200 Hello from a public endpoint/).waitFor({ timeout: 60000 });
  // run.sh's earlier case may have left a session in the keyring: sign out first.
  const frame = page.frameLocator('iframe[src*="127.0.0.1:3001"]');
  const button = frame.getByRole("button", { name: /log in/i });
  const logout = frame.getByRole("button", { name: /log out/i });
  await button.or(logout).waitFor({ timeout: 60000 });
  if (await logout.isVisible()) {
    await logout.click();
    await button.waitFor({ timeout: 30000 });
  }
  await page.getByText(/^private \(signed out\): 401 authorization_header_missing/).waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-services-1-signed-out.png` });

  writeFileSync(urlFile, "");
  await button.click();
  const authURL = await waitFor(() => {
    const u = existsSync(urlFile) ? readFileSync(urlFile, "utf8").split("\n").filter(Boolean) : [];
    return u[0];
  }, "the authorize URL");
  const idp = await ctx.newPage();
  await idp.goto(authURL);
  await idp.locator("#password").fill(process.env.DESKLIT_E2E_PASSWORD || "desklit");
  await idp.getByRole("button", { name: "Sign in" }).click();
  await idp.waitForURL(/127\.0\.0\.1:\d+\/callback/);
  await idp.close();

  await page.getByText(/^private: 200 Hello from a private endpoint.* demo\|analyst$/).waitFor({ timeout: 30000 });
  await page.getByText(/^private-scoped: 200 .* demo\|analyst$/).waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-services-2-signed-in.png` });
}
