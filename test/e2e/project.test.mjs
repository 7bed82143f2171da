// End to end in a real browser, inside an analyst's own project (test/projects/extra-package,
// started by run.sh as `desklit run <project>` with the index off): the project's own package
// (tabulate, outside Desklit's lock) imports, sign-in through the dev IdP's page works there, and
// the Secure API answers through desklit_auth, and require_sign_in() makes the component offer
// sign-in again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { e2eEnv, signInAtIdP } from "./browser.mjs";

const e2e = e2eEnv();
const { appURL, shots } = e2e;

const component = (page) => page.frameLocator('iframe[src*="127.0.0.1:3101"]'); // the project's [ports]


test("a project of one's own: its package, sign-in, the Secure API through desklit_auth", async () => {
  const ctx = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(appURL);
  await page.getByText("tabulate 0.10.0 says:").waitFor({ timeout: 60000 });
  const table = await page.locator("code").first().innerText();
  assert.match(table, /alpha\s+1/, "tabulate's table is on the page");
  const button = component(page).getByRole("button", { name: /log in/i });
  await button.waitFor({ timeout: 60000 });
  await page.screenshot({ path: `${shots}/e2e-project-1-signed-out.png` });

  const authURL = await signInAtIdP(ctx, e2e, () => button.click());
  assert.match(authURL, /code_challenge_method=S256/);

  await page.getByText("Signed in as Ada Analyst").waitFor({ timeout: 30000 });
  await page.getByText(/Secure API: 200 Hello from a SECURE endpoint!/).waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-project-2-secure-api.png` });

  // desklit_auth.require_sign_in() from the app: the real component offers sign-in again.
  await page.getByRole("button", { name: "The API refused my token" }).click();
  await component(page).getByRole("button", { name: "Sign in again" }).waitFor({ timeout: 30000 });
  await component(page).getByText(/refused the session of Ada Analyst/).waitFor();
  await page.getByText("The API did not accept your sign-in").waitFor();
  await page.screenshot({ path: `${shots}/e2e-project-3-sign-in-again.png` });
  await ctx.close();
});
