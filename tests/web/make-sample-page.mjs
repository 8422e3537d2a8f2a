// Builds flame graph pages from sample captures, the way `heapbook
// flamegraph` builds them from a real one, so that the page and its browser
// test can be worked on without the C side:
//
//   node tests/web/make-sample-page.mjs                  both samples, into build/web-test/
//   node tests/web/make-sample-page.mjs DATA.json OUT.html [DATA.json OUT.html ...]
//
// It fills profiler/web/page.html exactly as the C side must (profiler/web/README.md):
// a line holding only a file placeholder becomes that file's contents; the
// data placeholder, inside its <script> line, becomes the capture's JSON
// with every <, > and & written \u003c, \u003e, \u0026.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const web = join(root, 'profiler', 'web');
const modules = join(web, 'node_modules');

// Each file placeholder and the file that replaces it: the same files the
// C build embeds.
const FILES = {
  '/*HEAPBOOK_CSS*/': join(modules, 'd3-flame-graph', 'dist', 'd3-flamegraph.css'),
  '/*HEAPBOOK_D3*/': join(modules, 'd3', 'dist', 'd3.min.js'),
  '/*HEAPBOOK_FLAMEGRAPH*/': join(modules, 'd3-flame-graph', 'dist', 'd3-flamegraph.min.js'),
  '/*HEAPBOOK_MODEL_JS*/': join(web, 'model.js'),
  '/*HEAPBOOK_PAGE_JS*/': join(web, 'page.js'),
};
const DATA = '/*HEAPBOOK_DATA*/';

const SAMPLES = [
  ['tests/web/sample-data.json', 'build/web-test/sample.html'],
  ['tests/web/sample-diff-data.json', 'build/web-test/sample-diff.html'],
  ['tests/web/sample-processes-data.json', 'build/web-test/sample-processes.html'],
];

function fail(message) {
  console.error(`make-sample-page: ${message}`);
  process.exit(1);
}

function read(path, what) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const hint = path.startsWith(modules) ? ' (run `make web-assets` first)' : '';
    fail(`cannot read ${what} ${path}: ${error.message}${hint}`);
  }
}

// JSON that cannot end the <script> it sits in: outside strings JSON has no
// <, > or &, so escaping them everywhere escapes exactly those in strings.
function scriptSafeJson(value) {
  return JSON.stringify(value).replace(/[<>&]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function fillTemplate(template, files, json) {
  const seen = new Set();
  const lines = template.split('\n').map((line) => {
    const placeholder = line.trim();
    if (placeholder in files) {
      if (seen.has(placeholder)) fail(`page.html has ${placeholder} twice`);
      seen.add(placeholder);
      return files[placeholder];
    }
    const at = line.indexOf(DATA);
    if (at >= 0) {
      if (seen.has(DATA) || line.indexOf(DATA, at + 1) >= 0) fail(`page.html has ${DATA} twice`);
      seen.add(DATA);
      return line.slice(0, at) + json + line.slice(at + DATA.length);
    }
    return line;
  });
  for (const placeholder of [...Object.keys(files), DATA]) {
    if (!seen.has(placeholder)) fail(`page.html has no line with ${placeholder}`);
  }
  return lines.join('\n');
}

const args = process.argv.slice(2);
if (args.length % 2 !== 0) fail('give pairs of arguments: DATA.json OUT.html');
const pairs = args.length ? Array.from({ length: args.length / 2 }, (_, i) => args.slice(2 * i, 2 * i + 2)) : SAMPLES;

const template = read(join(web, 'page.html'), 'the page template');
const files = Object.fromEntries(Object.entries(FILES).map(([key, path]) => [key, read(path, 'the file for ' + key)]));

for (const [dataPath, outPath] of pairs) {
  const source = resolve(root, dataPath);
  let data;
  try {
    data = JSON.parse(read(source, 'the sample capture'));
  } catch (error) {
    fail(`${source} is not JSON: ${error.message}`);
  }
  const out = resolve(root, outPath);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, fillTemplate(template, files, scriptSafeJson(data)));
  console.log(`make-sample-page: wrote ${out}`);
}
