// What Chromium shows of a Streamlit page, reduced to what two runs of the same app must share:
// the title, the headings, the count of each element kind (data-testid), the exception boxes
// and the console errors. Shared by the corpus comparison and the live-reload test.
import { waitFor } from "../e2e/browser.mjs";

// Marks of the page's chrome, not of the app: how Streamlit draws its own status and toolbar.
const CHROME = new Set(["stStatusWidget", "stToolbar", "stToolbarActions", "stToolbarActionButton",
  "stToolbarActionButtonIcon", "stToolbarActionButtonLabel", "stMainMenu", "stMainMenuButton",
  "stAppDeployButton", "stDecoration", "stSkeleton"]);

// open: a new page in ctx with its console errors recorded (page.errors).
export async function open(ctx) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

// settled: the script run is over (Streamlit marks stApp; a Streamlit older than the mark —
// 1.17's `.stApp` has no data-testid — is judged by the rest), the text the page draws last is
// there (when given), nothing is being fetched, and what is drawn has not changed for a second
// (charts and components draw after the run) with no status widget showing a run.
export async function settled(page, text = "", ms = 60000) {
  await page.locator('[data-testid="stApp"][data-test-script-state="notRunning"], .stApp:not([data-testid])')
    .first().waitFor({ timeout: ms });
  if (text) await page.getByText(text).first().waitFor({ state: "attached", timeout: ms });
  await page.waitForLoadState("networkidle", { timeout: 10000 }).catch(() => {});
  let last = "", since = Date.now();
  return waitFor(async () => {
    const s = await snapshot(page);
    const key = JSON.stringify(s);
    if (key !== last) { last = key; since = Date.now(); return null; }
    return Date.now() - since >= 1000 && s.running === 0 ? s : null;
  }, "the page to settle", ms);
}

export function snapshot(page) {
  return page.evaluate((chrome) => {
    const counts = {};
    let running = 0;
    for (const el of document.querySelectorAll("[data-testid]")) {
      const id = el.getAttribute("data-testid");
      if (id === "stStatusWidget") running++;
      if (chrome.includes(id)) continue;
      counts[id] = (counts[id] || 0) + 1;
    }
    const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
      .map((h) => `${h.tagName}: ${h.innerText.trim()}`).filter((h) => !h.endsWith(": "));
    const app = document.querySelector('[data-testid="stApp"]');
    return { title: document.title, headings, counts, running, scriptState: app?.getAttribute("data-test-script-state") };
  }, [...CHROME]);
}

// consoleErrors: a page's console errors with what differs between two servers of the same app
// (ports, the launch secret) taken out, so that the two lists compare.
export function consoleErrors(page) {
  return page.errors.map((e) => e.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT").replace(/desklit_token=[\w%-]+/g, "desklit_token=…"));
}
