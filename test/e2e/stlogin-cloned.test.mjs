// End to end in a real browser on an st.login app as it comes from a public repository
// (test/projects/st-login-cloned, in the shape of kajarenc/stauthlib): no .streamlit/secrets.toml,
// only a secrets.toml.example, and a button per named provider (st.login("auth0"),
// st.login(provider="google")). Started by run.sh as `desklit run <project>` on the embedded
// defaults: Desklit reads the providers from the code, and each button runs Desklit's one sign-in
// (the dev IdP's page, opened as the system browser would); after Logout (Desklit's sign-out) the
// other provider's button asks for the password again: one session, whichever name the app uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { e2eEnv, signInAtIdP } from "./browser.mjs";

const e2e = e2eEnv();
const { appURL, shots } = e2e;

test("an st.login app cloned without its secrets signs in through Desklit", async () => {
  const ctx = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(appURL);
  const state = page.getByText(/^(Not signed in|Signed in as .*)$/);
  await state.waitFor({ timeout: 90000 });
  assert.equal(await page.getByText(/StreamlitAuthError|configure credentials/).count(), 0, "no error from Streamlit's sign-in");
  // run.sh's earlier cases may leave Desklit signed in: Logout signs Desklit out first.
  if (await page.getByText(/^Signed in as/).isVisible()) {
    await page.getByRole("button", { name: "Logout" }).click();
    await page.getByText("Not signed in").waitFor({ timeout: 30000 });
  }
  await page.screenshot({ path: `${shots}/e2e-stlogin-cloned-1-signed-out.png` });
  await signInAtIdP(ctx, e2e, () => page.getByRole("button", { name: "Auth0 Login" }).click({ noWaitAfter: true }));
  await page.getByText("Signed in as Ada Analyst (ada@example.com)").waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-stlogin-cloned-2-signed-in.png` });

  // The other named provider, after Desklit's sign-out: its sign-in page again.
  await page.getByRole("button", { name: "Logout" }).click();
  await page.getByText("Not signed in").waitFor({ timeout: 30000 });
  await signInAtIdP(ctx, e2e, () => page.getByRole("button", { name: "Google Login" }).click({ noWaitAfter: true }));
  await page.getByText("Signed in as Ada Analyst (ada@example.com)").waitFor({ timeout: 30000 });
  await ctx.close();
});
