// End to end in a real browser: `desklit run` on the embedded defaults (started by run.sh), the
// Streamlit page opened with the launch secret, sign-in through the dev IdP's page, the secure API
// call, a file upload, sign-out, and the same page without the secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { e2eEnv, signInAtIdP, waitFor } from "./browser.mjs";

const e2e = e2eEnv("DESKLIT_BIN");
const { appURL, shots } = e2e; // appURL: http://127.0.0.1:4010/?desklit_token=...
const bin = process.env.DESKLIT_BIN; // for `desklit token`

// The component is the iframe served by the component server.
const component = (page) => page.frameLocator('iframe[src*="127.0.0.1:3001"]');

test("sign in, call the secure API, upload, sign out; no session without the launch secret", async () => {
  const ctx = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(appURL);
  const button = component(page).getByRole("button", { name: /log in/i });
  await button.waitFor({ timeout: 60000 });
  await page.getByText(/log in/i).first().waitFor();
  await page.screenshot({ path: `${shots}/e2e-1-signed-out.png` });
  // Signed out: no pages but the welcome one.
  assert.equal(await page.getByRole("link", { name: "Secure API" }).count(), 0);

  // Log in: the shell opens the authorize URL with $BROWSER, which our stand-in records.
  const authURL = await signInAtIdP(ctx, e2e, () => button.click(),
    (idp) => idp.screenshot({ path: `${shots}/e2e-2-idp-signin.png` }));
  assert.match(authURL, /code_challenge_method=S256/);
  assert.match(authURL, /[?&]state=/);
  assert.match(authURL, /[?&]nonce=/);

  // The component gets the pushed change and shows the user; the pages appear.
  await component(page).getByRole("button", { name: /log out/i }).waitFor({ timeout: 30000 });
  await component(page).getByText(/Ada/).first().waitFor();
  await page.getByRole("link", { name: "Secure API" }).waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-3-signed-in.png` });

  // Without the launch secret, the same page never sees the session.
  const stranger = await e2e.browser.newContext();
  const p2 = await stranger.newPage();
  await p2.goto(new URL("/", appURL).href);
  await component(p2).getByRole("button", { name: /log in/i }).waitFor({ timeout: 60000 }).catch(() => {});
  await p2.waitForTimeout(1500);
  const strangerText = await p2.locator("body").innerText();
  assert.ok(!/Ada Analyst/.test(strangerText), "a page without the launch secret shows the user");
  assert.equal(await p2.getByRole("link", { name: "Secure API" }).count(), 0);
  await p2.screenshot({ path: `${shots}/e2e-4-no-secret.png` });
  await stranger.close();

  // The secure API with the stored access token.
  await page.getByRole("link", { name: "Secure API" }).click();
  await page.getByText(/Hello from a SECURE endpoint!/).first().waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-5-secure-api.png` });

  // A script's token: `desklit token` reads the running instance's session from the keyring, and
  // the API takes it (the token is never printed here, even by a failed assertion).
  const tok = spawnSync(bin, ["token"], { encoding: "utf8" });
  assert.equal(tok.status, 0, `desklit token: ${tok.stderr}`);
  const access = tok.stdout.trim();
  assert.ok(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(access), "desklit token did not print one JWT");
  const pong = await fetch("http://127.0.0.1:8888/api/pong", { headers: { Authorization: `Bearer ${access}` } });
  assert.equal(pong.status, 200, "the API refused desklit token's access token");

  // A file upload works where the app is shown.
  await page.getByRole("link", { name: "Upload" }).click();
  await page.locator('input[type="file"]').setInputFiles({ name: "figures.csv", mimeType: "text/csv", buffer: Buffer.from("region,sales\nnorth,10\nsouth,12\n") });
  await page.getByText("figures.csv").first().waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-6-upload.png` });

  // Sign out: the pages are hidden again.
  await component(page).getByRole("button", { name: /log out/i }).click();
  await component(page).getByRole("button", { name: /log in/i }).waitFor({ timeout: 30000 });
  await waitFor(async () => (await page.getByRole("link", { name: "Secure API" }).count()) === 0, "the pages to hide");
  await page.screenshot({ path: `${shots}/e2e-7-signed-out-again.png` });
  const gone = spawnSync(bin, ["token"], { encoding: "utf8" });
  assert.equal(gone.status, 1, "desklit token after sign-out");
  assert.equal(gone.stdout, "");
  assert.match(gone.stderr, /not signed in/);
  await ctx.close();
});
