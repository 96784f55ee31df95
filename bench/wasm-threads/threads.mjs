// Drives bench/wasm-threads: each layout (the session on the page's main thread, or in a dedicated
// worker) with 1 and 2 rayon threads, twice, and prints one JSON line per run (ms per SFT step).
//   node threads.mjs http://127.0.0.1:8765/
import { chromium } from 'playwright-core';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--no-first-run'],
});
for (const layout of ['main-thread', 'worker']) {
  for (const threads of [1, 2, 1, 2]) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log('page error:', String(e)));
    await page.goto(`${process.argv[2]}${layout}.html?threads=${threads}`);
    await page.waitForFunction(() => window.__result, null, { timeout: 600000 });
    console.log(JSON.stringify({ layout, ...(await page.evaluate(() => window.__result)) }));
    await page.close();
  }
}
await browser.close();
