// End to end in a real browser, in a project shaped like the original design
// (test/projects/notes-flask, started by run.sh as `desklit run <project>` with the index off):
// the Streamlit app calls its own Flask API, which Desklit supervises and which checks the tokens
// itself (PyJWT against the dev IdP's keys). Signed out the secure call gets 401; signed in, 200
// with the user's sub, and the scoped path 200 for the analyst, who holds read:messages.
import { test } from "node:test";
import { e2eEnv, signInAtIdP } from "./browser.mjs";

const e2e = e2eEnv();
const { appURL, shots } = e2e;


test("the app's own Flask API: 401 signed out, 200 with the user's sub signed in", async () => {
  const ctx = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
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

  await signInAtIdP(ctx, e2e, () => button.click());

  await page.getByText(/^private: 200 Hello from a private endpoint.* demo\|analyst$/).waitFor({ timeout: 30000 });
  await page.getByText(/^private-scoped: 200 .* demo\|analyst$/).waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-services-2-signed-in.png` });
}
