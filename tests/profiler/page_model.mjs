// What a flame graph page shows, without a browser: reads the HEAPBOOK data
// out of a page `heapbook flamegraph` wrote and folds it with the page's own
// model (profiler/web/model.js), for tests/profiler/check.sh.
//
//   node tests/profiler/page_model.mjs PAGE peak|leaks     the flame graph shown
//   node tests/profiler/page_model.mjs PAGE moment T       ... of the moment T ms
//   node tests/profiler/page_model.mjs PAGE curve          the first run's curve
//   node tests/profiler/page_model.mjs PAGE moments        at every point of the first
//                                                          run's curve, whether the flame
//                                                          graph of that moment holds the
//                                                          heap the curve shows there
//   node tests/profiler/page_model.mjs PAGE runs           each run's label and peak
//   node tests/profiler/page_model.mjs PAGE functions      the table of functions at the peak:
//                                                          "name file own total blocks",
//                                                          biggest total first
//
// A tree is printed a frame per line, indented two spaces a level:
// "name (file:line) value [delta]"; the curve as "t heap" lines.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const model = createRequire(import.meta.url)(join(root, 'profiler', 'web', 'model.js'));

function fail(message) {
  console.error(`page_model: ${message}`);
  process.exit(2);
}

const [page, what, argument] = process.argv.slice(2);
if (!page || !what) fail('usage: page_model.mjs PAGE peak|leaks|moment T|curve|runs');
const html = readFileSync(page, 'utf8');
const start = html.indexOf('const HEAPBOOK = ');
const end = html.indexOf(';</script>', start);
if (start < 0 || end < 0) fail(`${page}: no HEAPBOOK data`);
const data = JSON.parse(html.slice(start + 'const HEAPBOOK = '.length, end));

function print(node, depth) {
  const where = node.file ? ` (${node.file}:${node.line})` : node.module ? ` in ${node.module}` : '';
  const delta = typeof node.delta === 'number' ? ` ${node.delta}` : '';
  console.log(`${'  '.repeat(depth)}${node.name}${where} ${node.value}${delta}`);
  (node.children || []).slice().sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1))
    .forEach((child) => print(child, depth + 1));
}

if (what === 'curve') {
  (data.runs[0].curve || []).forEach(([t, heap]) => console.log(`${t} ${heap}`));
} else if (what === 'moments') {
  const run = data.runs[0];
  const wrong = (run.curve || []).filter(([t, heap]) => model.flame(data, { view: 'moment', t: t }).value !== heap);
  wrong.forEach(([t, heap]) => console.log(`at ${t} ms the curve shows ${heap} B, the moment ${model.flame(data, { view: 'moment', t: t }).value} B`));
  if (wrong.length === 0) console.log(`${run.curve.length} moments, each the heap of its point`);
} else if (what === 'functions') {
  model.functions(model.flame(data, { view: 'peak' }))
    .sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1))
    .forEach((row) => console.log(`${row.name} ${row.file || row.module} ${row.own} ${row.total} ${row.blocks}`));
} else if (what === 'runs') {
  data.runs.forEach((run) => console.log(`${run.label} peak ${run.peak_bytes}`));
} else if (what === 'moment') {
  print(model.flame(data, { view: 'moment', t: Number(argument) }), 0);
} else if (what === 'peak' || what === 'leaks') {
  print(model.flame(data, { view: what }), 0);
} else {
  fail(`unknown query ${what}`);
}
