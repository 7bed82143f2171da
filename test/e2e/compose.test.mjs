// End to end in a real browser on a FastAPI + Streamlit repository as public ones pair them
// (test/projects/compose-fastapi: compose.yaml, backend/ with its own requirements and Dockerfile
// CMD, frontend/ told the API's address by Compose's environment), opened at its root with no
// desklit.toml. Started by run.sh as `desklit run <project>`: the app reaches its API, which
// Desklit runs from the Compose file on 127.0.0.1 in an environment of its own requirements.
import { test } from "node:test";
import assert from "node:assert/strict";
import { e2eEnv } from "./browser.mjs";

const e2e = e2eEnv();
const { appURL, shots } = e2e;

test("a Compose project: the Streamlit app calls its own FastAPI service", async () => {
  const api = await fetch("http://127.0.0.1:8765/products");
  assert.equal(api.status, 200, "the API answers on 127.0.0.1 at the port Compose gives it");
  const page = await (await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(appURL);
  await page.getByText("API at http://127.0.0.1:8765").waitFor({ timeout: 90000 });
  await page.getByRole("button", { name: "List all products" }).click();
  await page.getByText("banana: 50 in stock at 0.60").waitFor({ timeout: 30000 });
  await page.getByRole("button", { name: "Add a new product" }).click();
  await page.getByText("Added cherry").waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/e2e-compose.png` });
});
