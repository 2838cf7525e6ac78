// Drives the API reference page (`GET /docs`) in headless Chromium: counts the
// operations it lists, authorizes with a bearer token, calls `GET /me` from the page and
// saves a screenshot of the answer. Prints one JSON line:
// {"operations": N, "status": S, "body": "...", "screenshot": "path"}.
//
// Environment: SHOP_API_URL (the local stack), DOCS_TOKEN (a session token),
// DOCS_SCREENSHOT (where to save the PNG), CHROMIUM (default /usr/bin/chromium),
// PLAYWRIGHT_MODULES (default .local/browser/node_modules, as infra/install.sh --browser puts it).
"use strict";
const path = require("path");

const root = path.join(__dirname, "..", "..");
const modules = process.env.PLAYWRIGHT_MODULES || path.join(root, ".local/browser/node_modules");
const { chromium } = require(path.join(modules, "playwright-core"));

async function main() {
  const api = process.env.SHOP_API_URL;
  const token = process.env.DOCS_TOKEN;
  const screenshot = process.env.DOCS_SCREENSHOT;
  if (!api || !token || !screenshot) throw new Error("SHOP_API_URL, DOCS_TOKEN and DOCS_SCREENSHOT are required");
  // The flags this machine's closed network needs (no background connections, no QUIC).
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(20000);
    await page.goto(`${api}/docs`);
    await page.waitForSelector(".opblock");
    const operations = await page.locator(".opblock").count();

    // Authorize: the bearer scheme's value, applied, then the dialog closed.
    await page.click(".auth-wrapper button.authorize");
    const bearer = page.locator(".auth-container").filter({ hasText: "bearer" }).first();
    await bearer.locator("input").fill(token);
    await bearer.locator("button.authorize").click();
    await page.click(".modal-ux button.btn-done");

    // GET /me from the page ("Try it out" is on for every operation).
    const me = page.locator("#operations-accounts-me");
    await me.locator(".opblock-summary").click();
    await me.locator("button.execute").click();
    const cell = me.locator(".live-responses-table .response .response-col_status").first();
    await cell.waitFor();
    const status = Number((await cell.textContent()).trim());
    const body = await me.locator(".live-responses-table .response-col_description pre").first().textContent();
    await me.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshot });
    console.log(JSON.stringify({ operations, status, body, screenshot }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
