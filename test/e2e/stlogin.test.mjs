// End to end in a real browser on an app written for Streamlit's own sign-in (test/projects/
// st-login: st.login, st.user, st.logout, an [auth] of its own), started by run.sh as `desklit run
// <project>`: "Log in" runs Desklit's sign-in (the dev IdP's page, which forbids framing, opened
// as the system browser would), and st.user, as the app itself prints it, holds the session's
// user under Desklit's broker, on Desklit's page (the launch address) and on a plain page
// (Streamlit's own flow and cookie) alike: single sign-on, and st.logout on either signs out both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { e2eEnv, openedURLs as opened, waitFor } from "./browser.mjs";

const e2e = e2eEnv();
const { appURL, urlFile, shots, password } = e2e;
const openedURLs = () => opened(urlFile);


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

const logIn = (p) => p.getByRole("button", { name: "Log in" });
const logOut = (p) => p.getByRole("button", { name: "Log out" });

test("st.login app: Desklit's page and a plain browser page share Desklit's one session", async () => {
  // Desklit's page (the address with the launch secret, as in the window): st.login runs
  // Desklit's sign-in, st.user is Desklit's session.
  const ctx = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(appURL);
  // run.sh's earlier case may leave Desklit signed in: then st.user is already signed in here
  // (a start while signed in), and st.logout signs Desklit out first.
  await logIn(page).or(logOut(page)).waitFor({ timeout: 90000 });
  if (await logOut(page).isVisible()) {
    await page.getByText(/Signed in as Ada Analyst/).waitFor();
    await logOut(page).click();
    await logIn(page).waitFor({ timeout: 30000 });
  }
  await page.screenshot({ path: `${shots}/e2e-stlogin-1-signed-out.png` });
  // The first run took the launch secret out of the page's address; the session keeps it.
  await waitFor(() => !page.url().includes("desklit_token"), "the launch secret out of the address");
  writeFileSync(urlFile, "");
  await logIn(page).click({ noWaitAfter: true });
  await signInAtIdP(ctx, await waitFor(() => openedURLs()[0], "the authorize URL Desklit opened"));
  await page.getByText(signedIn).waitFor({ timeout: 30000 });
  assert.doesNotMatch(await page.getByText(signedIn).innerText(), /9210/, "st.user's issuer is Desklit's broker");
  await page.screenshot({ path: `${shots}/e2e-stlogin-2-signed-in.png` });

  // A plain page (no launch secret, no cookie): Streamlit's own flow through the broker signs in
  // at once, without a sign-in page or a password (single sign-on), and sets Streamlit's cookie.
  writeFileSync(urlFile, "");
  const other = await e2e.browser.newContext();
  const plain = await other.newPage();
  await plain.goto(appURL.split("?")[0]);
  await logIn(plain).click();
  await plain.getByText(signedIn).waitFor({ timeout: 30000 });
  assert.deepEqual(openedURLs(), [], "single sign-on: no sign-in page opened");
  assert.ok((await other.cookies()).some((c) => c.name === "_streamlit_user"), "Streamlit's cookie is set");

  // st.logout on Desklit's page signs Desklit out: the plain page keeps its cookie, yet its
  // st.user is signed out at its next run; its st.login then asks for the password again.
  await logOut(page).click();
  await logIn(page).waitFor({ timeout: 30000 });
  await plain.reload();
  await logIn(plain).waitFor({ timeout: 60000 });
  assert.ok((await other.cookies()).some((c) => c.name === "_streamlit_user"), "the plain page kept its cookie");
  writeFileSync(urlFile, "");
  await logIn(plain).click({ noWaitAfter: true }); // its navigation waits for the sign-in
  await signInAtIdP(other, await waitFor(() => openedURLs()[0], "a new sign-in after st.logout"));
  await plain.getByText(signedIn).waitFor({ timeout: 30000 });

  // Desklit's page follows on its next run; st.logout on the plain page (Streamlit's own, through
  // the broker's end-session endpoint) signs Desklit out there too. (Its address lost the launch
  // secret at the first run: it is opened again with the launch link, as the window reloads.)
  await page.goto(appURL);
  await page.getByText(signedIn).waitFor({ timeout: 60000 });
  await logOut(plain).click();
  await logIn(plain).waitFor({ timeout: 30000 });
  await page.goto(appURL);
  await logIn(page).waitFor({ timeout: 60000 });
  await other.close();
  await ctx.close();
});
