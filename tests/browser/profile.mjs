// Where a page step's time goes: starts the default run on the CPU path in headless Chromium, samples
// 12 s of SFT with the DevTools protocol's profiler (after 3 s of start-up), and prints the 40 functions
// with the most self time. Names need a build that keeps them (dev). Run by `bench/page.sh` with
// GAPO_PAGE_PROFILE=1.
//   node profile.mjs http://127.0.0.1:8765/
import { chromium } from 'playwright-core';
const base = process.argv[2];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless=new', '--no-sandbox', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
await page.goto(base + '#backend=cpu');
await page.waitForFunction(() => document.getElementById('backend')?.innerText.includes('backend: cpu'), null, { timeout: 120000 });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
await page.click('#start');
await page.waitForTimeout(3000);
await cdp.send('Profiler.start');
await page.waitForTimeout(12000);
const { profile } = await cdp.send('Profiler.stop');
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const counts = new Map();
for (const s of profile.samples) counts.set(s, (counts.get(s) || 0) + 1);
let total = 0;
for (const [id, c] of counts) {
  const n = byId.get(id);
  const name = n.callFrame.functionName || '(anon)';
  self.set(name, (self.get(name) || 0) + c);
  total += c;
}
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [name, c] of top) console.log((100 * c / total).toFixed(1).padStart(5) + '%  ' + name.slice(0, 150));
await browser.close();
