import init, { initThreadPool, sft_ms } from './bench.js';
self.onmessage = async (e) => {
  try { await init(); await initThreadPool(e.data); postMessage({ threads: e.data, ms: sft_ms(3, 20), in: 'worker' }); }
  catch (err) { postMessage({ error: String(err) }); }
};
