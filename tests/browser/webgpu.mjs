// WebGPU in headless Chromium (SwiftShader: correct but slow): the page's forward check (`?check=webgpu`,
// the same generator on WebGPU and on the CPU, logits within 1e-4), the adapter's name in the badge, a
// preset too big for the adapter's buffer limit refused with the numbers (the limit is lowered through the
// page's own adapter record), a lost device announced with a way back to the CPU, and an adapter without
// `subgroups` (hidden by the test) named and the run sent to the CPU, and a panic inside the wasm (every
// shader corrupted by the test) announced with its message and a way back to the CPU.
//   node tests/browser/webgpu.mjs http://127.0.0.1:8765/
import { chromium } from 'playwright-core';

const base = process.argv[2];
const fail = (msg) => { console.error('FAIL:', msg); process.exitCode = 1; };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
const until = async (what, fn, ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await page.evaluate(fn)) return true;
    await page.waitForTimeout(500);
  }
  fail(`timed out waiting for ${what}`);
  return false;
};

try {
  const started = Date.now();
  await page.goto(base + '?check=webgpu#seed=3');
  await until('the WebGPU badge', () => document.getElementById('backend')?.innerText.includes('backend: webgpu'), 60000);
  const badge = await page.innerText('#backend');
  console.log(badge);
  if (!/MB per buffer/.test(badge)) fail(`the badge does not name the adapter and its limit: ${badge}`);

  // 1. The forward pass on WebGPU matches the CPU.
  if (await until('the WebGPU forward check', () => document.getElementById('webgpu-check')?.dataset.maxDiff, 540000)) {
    const diff = Number(await page.getAttribute('#webgpu-check', 'data-max-diff'));
    console.log(await page.innerText('#webgpu-check'), `(${((Date.now() - started) / 1000).toFixed(0)} s)`);
    if (!(diff < 1e-4)) fail(`WebGPU logits differ from the CPU's by ${diff}`);
  }

  // 2. A preset larger than the adapter's buffer limit is refused with the numbers; the run goes to the CPU.
  await page.evaluate(() => { window.__gapoAdapter.maxStorageBufferBindingSize = 1000000; });
  await page.click('#start');
  await until('the refusal', () => document.getElementById('problems')?.innerText.includes('maxStorageBufferBindingSize'), 30000);
  const refusal = await page.innerText('#problems');
  console.log(refusal.trim());
  if (!/MB buffer/.test(refusal) || !/1\.0 MB/.test(refusal) || !/CPU instead/.test(refusal)) fail(`refusal without numbers: ${refusal}`);
  await until('training on the CPU', () => document.getElementById('backend')?.innerText.includes('backend: cpu'), 30000);
  await page.click('#stop');

  // 3. A lost device is announced, with a way to continue on the CPU.
  await page.evaluate(() => window.__gapoDevice.destroy());
  await until('the lost-device banner', () => document.getElementById('device-lost')?.innerText.includes('lost'), 30000);
  console.log((await page.innerText('#device-lost')).trim());
  await page.click('#continue-on-cpu');
  await until('the page back on the CPU', () => document.getElementById('backend')?.innerText.includes('backend: cpu'), 60000);
  if (!(await page.evaluate(() => location.hash)).includes('seed=3')) fail('the settings were lost on the way to the CPU');
  if (errors.length) fail(`page errors: ${errors.join(' | ')}`);

  // 4. An adapter without `subgroups` (which burn's kernels need) is named and the page trains on the CPU.
  const bare = await browser.newPage();
  await bare.addInitScript(() => {
    const has = GPUSupportedFeatures.prototype.has;
    GPUSupportedFeatures.prototype.has = function (name) { return name === 'subgroups' ? false : has.call(this, name); };
  });
  await bare.goto(base + '#seed=3');
  const end = Date.now() + 60000;
  let text = '';
  while (Date.now() < end && !(text = (await bare.innerText('#backend').catch(() => ''))).includes('backend: cpu')) {
    await bare.waitForTimeout(500);
  }
  console.log(text);
  if (!/no `subgroups` feature/.test(text)) fail(`an adapter without subgroups is not explained: ${text}`);

  // 5. A kernel the driver rejects (the test corrupts every shader) panics inside the wasm: the page says
  // so with the panic's message and offers the CPU, instead of going silent.
  const broken = await browser.newPage();
  await broken.addInitScript(() => {
    const create = GPUDevice.prototype.createShaderModule;
    GPUDevice.prototype.createShaderModule = function (desc) {
      return create.call(this, Object.assign({}, desc, { code: 'this is not WGSL' }));
    };
  });
  await broken.goto(base + '?check=webgpu#seed=3');
  let crash = '';
  for (const end = Date.now() + 120000; Date.now() < end && !crash; await broken.waitForTimeout(500)) {
    crash = await broken.evaluate(() => document.getElementById('page-crashed')?.innerText || '');
  }
  console.log(crash.trim());
  if (!/The page stopped: .*wgpu error/.test(crash)) fail(`a panic on the GPU is not announced: ${crash}`);
  await broken.click('#continue-on-cpu');
  let after = '';
  for (const end = Date.now() + 60000; Date.now() < end && !after.includes('backend: cpu'); await broken.waitForTimeout(500)) {
    after = await broken.innerText('#backend').catch(() => '');
  }
  if (!after.includes('backend: cpu')) fail(`the crashed page did not come back on the CPU: ${after}`);
} catch (e) {
  fail(String(e));
} finally {
  await browser.close();
}
if (!process.exitCode) console.log('webgpu browser test passed');
