// The switch bench's browser: headless Chromium kept open; each line "URL<TAB>TEXT" on stdin is
// loaded in a fresh page, and the milliseconds until TEXT is visible are written back.
const { chromium } = require(process.env.PLAYWRIGHT || "playwright-core");
const readline = require("node:readline");
(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [url, text] = line.split("\t");
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const t0 = Date.now();
    try {
      await page.goto(url);
      await page.getByText(text).first().waitFor({ timeout: 60000 });
      console.log(String(Date.now() - t0));
    } catch (e) {
      console.log("error " + String(e).split("\n")[0]);
    }
    await ctx.close();
  }
  await browser.close();
})();
