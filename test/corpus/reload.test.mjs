// Live reload of one's own project under `desklit run` (issue 21): editing the running script
// brings Streamlit's file-change prompt and Rerun shows the edit; with runOnSave = true in the
// project's .streamlit/config.toml the edit shows by itself. Each case runs a copy of a corpus
// sample in a throw-away folder, with Desklit's state there too.
//
//   DESKLIT_BIN=build/bin/desklit node --test test/corpus/reload.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchChromium, waitFor } from "../e2e/browser.mjs";
import { open, settled } from "./page.mjs";

const here = new URL(".", import.meta.url).pathname;
const bin = resolve(process.env.DESKLIT_BIN || join(here, "../../build/bin/desklit"));
const port = Number(process.env.RELOAD_PORT || 4730);
const out = process.env.CORPUS_OUT || join(here, "../out/corpus");
mkdirSync(out, { recursive: true });

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

// desklit: `desklit run <project>` with its own HOME and XDG folders under work (uv's cache is
// the corpus's, so nothing is fetched twice), until it prints its URL.
async function desklit(work, project) {
  const env = {
    ...process.env, HOME: join(work, "home"), XDG_CONFIG_HOME: join(work, "config"), XDG_STATE_HOME: join(work, "state"),
    XDG_DATA_HOME: join(work, "data"), DESKLIT_STREAMLIT_PORT: `${port}`, DESKLIT_COMPONENT_PORT: `${port + 1}`,
    DESKLIT_API_PORT: `${port + 2}`, DESKLIT_IDP_PORT: `${port + 3}`, DESKLIT_CALLBACK_PORT: `${port + 4}`,
    DESKLIT_ALLOW_PLAINTEXT_SESSION: "true", DESKLIT_LOGIN_MODE: "browser", BROWSER: "true",
  };
  mkdirSync(env.HOME, { recursive: true });
  const child = spawn(bin, ["run", project], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  child.log = () => log;
  const url = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`desklit run exited:\n${log}`);
    return log.match(/Open the app at:\s+(http:\/\/127\.0\.0\.1:\d+\/(\?desklit_token=[\w%-]+)?)/)?.[1];
  }, "desklit run to print its URL", 600000);
  return { child, url };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await gone;
}

const heading = (page, text) => page.getByRole("heading", { name: text }).waitFor({ timeout: 30000 });

test("editing the running script: Streamlit's file-change prompt, and Rerun shows the edit", async () => {
  const work = mkdtempSync(join(tmpdir(), "desklit-reload-"));
  const project = join(work, "loan");
  cpSync(join(here, "single-script"), project, { recursive: true });
  const { child, url } = await desklit(work, project);
  try {
    const page = await open(await browser.newContext());
    await page.goto(url);
    await settled(page);
    appendFileSync(join(project, "loan_calculator.py"), '\nst.header("Edited while Desklit runs")\n');
    const widget = page.getByTestId("stStatusWidget");
    await widget.getByText(/File change|Source file changed/).waitFor({ timeout: 30000 });
    await page.screenshot({ path: join(out, "reload-prompt.png") });
    await widget.getByRole("button", { name: "Rerun", exact: true }).click();
    await heading(page, "Edited while Desklit runs");
    assert.deepEqual(page.errors, [], "console errors");
  } finally {
    await stop(child);
    writeFileSync(join(out, "reload-prompt-desklit.log"), child.log());
    rmSync(work, { recursive: true, force: true });
  }
});

test("runOnSave = true in the project's .streamlit/config.toml: the edit shows without a click", async () => {
  const work = mkdtempSync(join(tmpdir(), "desklit-reload-"));
  const project = join(work, "books");
  cpSync(join(here, "data-editor"), project, { recursive: true });
  mkdirSync(join(project, ".streamlit"), { recursive: true });
  writeFileSync(join(project, ".streamlit", "config.toml"), "[server]\nrunOnSave = true\n");
  const { child, url } = await desklit(work, project);
  try {
    const page = await open(await browser.newContext());
    await page.goto(url);
    await settled(page);
    const script = join(project, "streamlit_app.py");
    writeFileSync(script, readFileSync(script, "utf8").replace('st.title("📚 Reading list")', 'st.title("📚 Reading list, edited")'));
    await heading(page, "📚 Reading list, edited");
    await page.screenshot({ path: join(out, "reload-runonsave.png") });
    assert.deepEqual(page.errors, [], "console errors");
  } finally {
    await stop(child);
    writeFileSync(join(out, "reload-runonsave-desklit.log"), child.log());
    rmSync(work, { recursive: true, force: true });
  }
});
