// The page benchmark: the default run on the CPU path in headless Chromium, timed phase by phase from the
// page's own status line (one poll every 50 ms), and the whole run's time to its end. Prints JSON.
//   node bench.mjs http://127.0.0.1:8765/ [label]
import { chromium } from 'playwright-core';

const base = process.argv[2];
const label = process.argv[3] || '';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
await page.goto(base + '#backend=cpu');
await page.waitForFunction(() => document.getElementById('backend')?.innerText.includes('backend: cpu'), null, { timeout: 120000 });
const badge = await page.innerText('#backend');
const started = Date.now();
await page.click('#start');
// Each change of the status line closes the steps since the previous one; their time goes to the phase
// of the step that closed them (a step's phase is the one it ran in).
const phases = {};
let previous = null;
for (;;) {
  const s = await page.evaluate(() => ({
    run: document.getElementById('status').dataset.run,
    text: document.getElementById('status').innerText,
  }));
  const m = s.text.match(/^step (\d+) \/ (\d+): (\w+)/);
  if (m) {
    const [step, phase, t] = [Number(m[1]), m[3], Date.now()];
    if (previous && step > previous.step) {
      const p = (phases[phase] ||= { steps: 0, seconds: 0 });
      p.steps += step - previous.step;
      p.seconds += (t - previous.t) / 1000;
    }
    if (!previous || step !== previous.step) previous = { step, t };
  }
  if (s.run === 'Done' || s.run === 'Stopped') break;
  if (Date.now() - started > 1800000) break;
  await page.waitForTimeout(50);
}
const total = (Date.now() - started) / 1000;
const per_phase = Object.fromEntries(
  Object.entries(phases).map(([k, p]) => [k, { ...p, ms_per_step: (1000 * p.seconds) / p.steps }]),
);
console.log(JSON.stringify({ label, badge, seconds_to_end: total, per_phase }));
await browser.close();
