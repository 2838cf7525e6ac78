// Pays (or declines) a payment on the provider's checkout page in headless Chromium, as
// a buyer would: opens the payment's checkout_url, reads the amount shown, saves a
// screenshot, clicks the button and waits for the provider's answer. Prints one JSON line:
// {"amount": "...", "result": "...", "screenshot": "path"}.
//
// Environment: CHECKOUT_URL (a payment's checkout_url), CHECKOUT_BUTTON ("pay" or
// "decline"), CHECKOUT_SCREENSHOT (where to save the PNG), CHROMIUM (default
// /usr/bin/chromium), PLAYWRIGHT_MODULES (default .local/browser/node_modules).
"use strict";
const path = require("path");

const root = path.join(__dirname, "..", "..");
const modules = process.env.PLAYWRIGHT_MODULES || path.join(root, ".local/browser/node_modules");
const { chromium } = require(path.join(modules, "playwright-core"));

async function main() {
  const url = process.env.CHECKOUT_URL;
  const button = process.env.CHECKOUT_BUTTON;
  const screenshot = process.env.CHECKOUT_SCREENSHOT;
  if (!url || !["pay", "decline"].includes(button) || !screenshot) {
    throw new Error("CHECKOUT_URL, CHECKOUT_BUTTON (pay|decline) and CHECKOUT_SCREENSHOT are required");
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.setDefaultTimeout(20000);
    await page.goto(url);
    const amount = (await page.locator("#amount").textContent()).trim();
    await page.screenshot({ path: screenshot });
    await page.click(`#${button}`);
    const result = (await page.locator("#result").textContent()).trim();
    console.log(JSON.stringify({ amount, result, screenshot }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
