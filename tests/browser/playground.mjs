// Browser test of the playground: loads the built page (dist/, served by the caller) in Debian's headless
// Chromium, trains the tiny preset on the CPU path, and checks that the plots and the sample table update,
// that Stop answers, that the try-it box answers, that a URL with settings restores them and that a bad URL
// gives messages instead of a blank page, that the models download and load back (and a foreign file is
// refused), that Reset keeps the last run beside the next one, and that the whole default run moves the loop diagram
// through its phases, fills D's view, the SFT line and the per-kind bars, and fits a 1280×720 screen.
//   node tests/browser/playground.mjs http://127.0.0.1:8765/ [screenshot.png]
import { chromium } from 'playwright-core';

const base = process.argv[2];
const shot = process.argv[3];
const fail = (msg) => { console.error('FAIL:', msg); process.exitCode = 1; };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1300, height: 1400 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
const until = async (what, fn, ms = 240000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await page.evaluate(fn)) return true;
    await page.waitForTimeout(250);
  }
  fail(`timed out waiting for ${what}`);
  return false;
};
const points = (id) => Number(document.getElementById(id)?.dataset.points || 0);

try {
  // 1. Settings in the URL are restored; a small run on the CPU.
  const hash = 'backend=cpu&seed=7&sft_steps=12&stages=1&algo=gapo&kl_beta=0.02&fake_share_hide=true';
  await page.goto(base + '#' + hash);
  await until('the backend badge', () => document.getElementById('backend')?.innerText.includes('backend: cpu'));
  // The badge names the path in words ("CPU (wasm, SIMD)" or "CPU (wasm, no SIMD)"), not a debug string.
  const badge = await page.innerText('#backend');
  if (!badge.includes('CPU (wasm, ') || badge.includes('Device<')) fail(`the backend badge reads ${badge}`);
  const seed = await page.inputValue('#ctl-seed');
  const beta = await page.inputValue('#ctl-kl_beta');
  if (seed !== '7' || beta !== '0.02') fail(`settings not restored: seed ${seed}, kl_beta ${beta}`);
  if (await page.$('#ctl-fake_share')) fail('fake_share_hide=true did not hide the control');
  if (!(await page.evaluate(() => location.hash)).includes('seed=7')) fail('the hash lost the seed');

  // 2. Training: Start, the plots and the sample table update.
  await page.click('#start');
  await until('the first SFT steps', () => document.getElementById('status')?.innerText.includes('step'));
  await until('a held-out evaluation in the plot', () => Number(document.getElementById('plot-eval')?.dataset.points || 0) > 0);
  await until('rows in the sample table', () => document.querySelectorAll('#samples tr').length > 1);
  await until('a reward point from a rollout', () => Number(document.getElementById('plot-reward')?.dataset.points || 0) > 0);
  await until('a discriminator probe point', () => Number(document.getElementById('plot-disc')?.dataset.points || 0) > 0);
  const verdicts = await page.evaluate(() => document.querySelectorAll('#samples .pass, #samples .fail').length);
  if (verdicts === 0) fail('the sample table shows no constraint verdicts');

  // 3. Stop answers while a run is going (within a couple of steps).
  const before = await page.evaluate(() => document.getElementById('status').dataset.run);
  if (before === 'Running') {
    await page.click('#stop');
    await until('Stop', () => document.getElementById('status').dataset.run === 'Stopped', 5000);
  }

  // 4. The try-it box answers with the verdict of each constraint.
  await page.click('#try-pick');
  await page.click('#try-run');
  await until('a try-it answer', () => document.querySelectorAll('#try-result .pass, #try-result .fail').length > 0, 60000);

  // 5. Download the models (the whole session) and load them back; a file that is not ours is refused.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const saved = await download.path();
  await page.setInputFiles('#load', saved);
  await until('the session loaded back', () => document.getElementById('status').innerText.includes('loaded'), 60000);
  const fs = await import('node:fs');
  const bogus = saved + '.txt';
  fs.writeFileSync(bogus, 'hello, not a model');
  await page.setInputFiles('#load', bogus);
  await until('a refusal of a foreign file', () => document.getElementById('status').innerText.includes('not a gapo session snapshot'), 30000);

  // 6. Reset keeps the last run's curves beside the next run's (two runs overlaid).
  await page.click('#reset');
  await until('the previous run overlaid', () => document.getElementById('plot-reward').innerText.includes('previous run'), 10000);

  // 7. The whole default run (every setting at its default, on the CPU path) to its end: the loop diagram
  // follows the phases, D's view shows its scores at every probe, the pass-rate plot has the SFT start as
  // a line and the per-kind bars appear. The screenshot for docs/ and the README is taken at the end, on a
  // 1280×720 screen, which needs no horizontal scrolling.
  await page.goto(base + '#backend=cpu');
  await page.reload();
  await until('the page on its defaults', () => document.getElementById('backend')?.innerText.includes('backend: cpu'));
  const defaults = await page.evaluate(() => location.hash);
  if (defaults.replace('#', '').split('&').some((kv) => kv && kv !== 'backend=cpu')) {
    fail(`the default run's URL carries settings: ${defaults}`);
  }
  await page.click('#start');
  const lit = new Set();
  const phases = [];
  const end = Date.now() + 400000;
  while (Date.now() < end) {
    const now = await page.evaluate(() => ({
      run: document.getElementById('status').dataset.run,
      phase: Number(document.getElementById('loop')?.dataset.phase ?? -1),
      chip: document.querySelector('#loop .chip.lit')?.innerText.split(' ')[0] || '',
    }));
    if (now.chip) lit.add(now.chip);
    if (phases[phases.length - 1] !== now.phase) phases.push(now.phase);
    if (now.run === 'Done') break;
    await page.waitForTimeout(100);
  }
  const boxes = await page.evaluate(() => document.querySelectorAll('#loop .chip').length);
  const stages = await page.evaluate(() => document.querySelectorAll('#loop .stage').length);
  if (stages < 2) fail(`the default run's diagram shows ${stages} stages`);
  if (phases[phases.length - 1] !== boxes) fail(`the diagram did not reach the end: phases ${phases}, ${boxes} boxes`);
  if (phases.some((p, i) => i > 0 && p < phases[i - 1])) fail(`the diagram went backwards: ${phases}`);
  for (const want of ['SFT', 'D warm-up', 'probe', 'G', 'D']) {
    if (![...lit].some((c) => c.startsWith(want.split(' ')[0]))) fail(`the diagram never lit ${want}: ${[...lit]}`);
  }
  const scores = await page.evaluate(() => [...document.querySelectorAll('#disc-scores td.num')].map((td) => Number(td.innerText)));
  if (scores.length < 3 * 5 || scores.some((x) => !Number.isFinite(x))) fail(`D's view shows no scores: ${scores}`);
  if (!(await page.innerText('#disc-view')).includes('rejected prompt')) fail("D's view names no changed rule");
  if (!(await page.innerText('#plot-eval')).includes('SFT start')) fail('no SFT start line on the pass-rate plot');
  if (Number(await page.getAttribute('#kind-bars', 'data-kinds')) === 0) fail('no per-kind bars after the run');
  // SFT has its own plot, one point per SFT step logged.
  const sftPoints = Number(await page.getAttribute('#plot-sft', 'data-points'));
  if (sftPoints < 100) fail(`the SFT plot has ${sftPoints} points after 200 SFT steps`);
  // The other plots start at their first point, after SFT, so the stages fill their width.
  const from = Number(await page.getAttribute('#plot-reward', 'data-from'));
  if (!(from > 0)) fail(`the plots start at step ${from}, in SFT, where they have no points`);
  await page.setViewportSize({ width: 1280, height: 720 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 1280) fail(`the page scrolls sideways at 1280×720: ${wide} px wide`);
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  await page.setViewportSize({ width: 1300, height: 1400 });

  // 8. A malformed URL gives messages, not a blank page.
  await page.goto(base + '#algo=magic&seed=many&colour=red&backend=cpu');
  await page.reload();
  await until('the problems list', () => document.querySelectorAll('#problems li').length >= 3, 60000);
  const text = await page.evaluate(() => document.body.innerText);
  if (!text.includes('magic') || !text.includes('unknown setting `colour`')) fail('bad URL messages missing:\n' + text);
} catch (e) {
  fail(String(e));
}
if (errors.length) fail('page errors: ' + errors.join('\n'));
await browser.close();
if (!process.exitCode) console.log('browser test passed');
