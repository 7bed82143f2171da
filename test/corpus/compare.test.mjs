// One corpus sample, two servers (started by test/corpus/run.sh): `desklit run <sample>` and a
// bare `streamlit run` in a venv built by uv from the same requirements. Chromium opens each page
// (and the sample's other pages, and uploads its file where it has one) and what it shows must
// match: the title, the headings, the count of each element kind, no exception box, no console
// error on Desklit's side that the bare run does not have.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { mkdirSync, writeFileSync } from "node:fs";
import { launchChromium } from "../e2e/browser.mjs";
import { open, settled, consoleErrors } from "./page.mjs";

const name = process.env.CORPUS_NAME;
const desklitURL = process.env.DESKLIT_URL; // http://127.0.0.1:PORT/ (with ?desklit_token=… for an app that reads it)
const bareURL = process.env.BARE_URL;
// CORPUS_PAGES: "PATH=TEXT;…", the app's pages with the text each draws last ("/" first).
const pages = (process.env.CORPUS_PAGES || "").split(";").filter(Boolean).map((p) => p.split("="));
// CORPUS_UPLOAD: "FILE=TEXT", a file to upload on the first page and the text it then shows.
const [upload, uploaded] = (process.env.CORPUS_UPLOAD || "=").split("=");
const out = process.env.CORPUS_OUT || "test/out/corpus";
assert.ok(name && desklitURL && bareURL && pages.length, "run through test/corpus/run.sh");
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

async function load(base, path, text, first) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(ctx);
  await page.goto(at(base, path));
  let shown = await settled(page, text);
  if (upload && first) {
    await page.locator('[data-testid="stFileUploaderDropzoneInput"]').setInputFiles(upload);
    shown = await settled(page, uploaded);
  }
  return { ctx, page, shown };
}

const same = (a, b) => a.title === b.title && isDeepStrictEqual(a.headings, b.headings) && isDeepStrictEqual(a.counts, b.counts);

for (const [i, [path, text]] of pages.entries()) {
  test(`${name} ${path}: desklit run shows what a bare streamlit run shows`, async () => {
    const [b, d] = await Promise.all([load(bareURL, path, text, i === 0), load(desklitURL, path, text, i === 0)]);
    // What draws late (a chart's code, a grid's cells) may still be coming on one side: up to
    // three more looks before the two pages are called different.
    let [bare, desk] = [b.shown, d.shown];
    for (let n = 0; n < 3 && !same(bare, desk); n++) {
      [bare, desk] = await Promise.all([settled(b.page), settled(d.page)]);
    }
    const slug = `${name}${path.replace(/\W+/g, "_")}`;
    await b.page.screenshot({ path: `${out}/${slug}-bare.png`, fullPage: true });
    await d.page.screenshot({ path: `${out}/${slug}-desklit.png`, fullPage: true });
    bare.errors = consoleErrors(b.page);
    desk.errors = consoleErrors(d.page);
    await Promise.all([b.ctx.close(), d.ctx.close()]);
    writeFileSync(`${out}/${slug}.json`, JSON.stringify({ desklit: desk, bare }, null, 1));
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
