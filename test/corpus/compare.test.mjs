// One corpus sample, two servers (started by test/corpus/run.sh): `desklit run <sample>` and a
// bare `streamlit run` in a venv built by uv from the same requirements. Chromium opens each page
// (and the sample's other pages, and uploads its file where it has one) and what it shows must
// match: the title, the headings, the count of each element kind, no exception box, no console
// error on Desklit's side that the bare run does not have.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { launchChromium } from "../e2e/browser.mjs";
import { open, settled, consoleErrors } from "./page.mjs";

const name = process.env.CORPUS_NAME;
const desklitURL = process.env.DESKLIT_URL; // http://127.0.0.1:PORT/?desklit_token=…
const bareURL = process.env.BARE_URL;
const pages = (process.env.CORPUS_PAGES || "").split(" ").filter(Boolean);
const upload = process.env.CORPUS_UPLOAD || "";
const out = process.env.CORPUS_OUT || "test/out/corpus";
assert.ok(name && desklitURL && bareURL, "run through test/corpus/run.sh");
mkdirSync(out, { recursive: true });

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

// at: the server's URL for an app page (keeping Desklit's launch secret in the query).
function at(base, path) {
  const u = new URL(base);
  u.pathname = path;
  return u.href;
}

async function visit(base, path, side) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(ctx);
  await page.goto(at(base, path));
  let shown = await settled(page);
  if (upload && path === "/") {
    await page.locator('[data-testid="stFileUploaderDropzoneInput"]').setInputFiles(upload);
    // The uploaded file's entry: a chip since Streamlit 1.5x, a row before.
    await page.locator('[data-testid="stFileChip"], [data-testid="stFileUploaderFile"]').first().waitFor();
    await page.waitForTimeout(300);
    shown = await settled(page);
  }
  const slug = path.replace(/\W+/g, "_");
  await page.screenshot({ path: `${out}/${name}${slug}${side}.png`, fullPage: true });
  shown.errors = consoleErrors(page);
  await ctx.close();
  return shown;
}

for (const path of ["/", ...pages]) {
  test(`${name} ${path}: desklit run shows what a bare streamlit run shows`, async () => {
    const [bare, desk] = await Promise.all([visit(bareURL, path, "-bare"), visit(desklitURL, path, "-desklit")]);
    writeFileSync(`${out}/${name}${path.replace(/\W+/g, "_")}.json`, JSON.stringify({ desklit: desk, bare }, null, 1));
    assert.equal(desk.counts.stException ?? 0, 0, `an exception box under desklit run: ${JSON.stringify(desk.headings)}`);
    assert.equal(bare.counts.stException ?? 0, 0, "an exception box under the bare streamlit run (the sample itself is broken)");
    assert.ok(bare.headings.length > 0, "the bare run shows no heading: the sample did not draw");
    assert.equal(desk.title, bare.title, "the page title");
    assert.deepEqual(desk.headings, bare.headings, "the headings");
    assert.deepEqual(desk.counts, bare.counts, "the elements by data-testid");
    const extra = desk.errors.filter((e) => !bare.errors.includes(e));
    assert.deepEqual(extra, [], "console errors under desklit run only");
  });
}
