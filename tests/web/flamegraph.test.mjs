// The flame graph page in a real browser: headless Debian Chromium driven by
// playwright-core, the page opened from file:// with the network shut.
//
//   node --test --test-reporter=tap tests/web/flamegraph.test.mjs     (`make test-web`)
//
// Environment (all optional):
//   HEAPBOOK_PAGE           the page(s) to test, separated by ':'
//                           (default build/web-test/sample.html, which
//                           tests/web/make-sample-page.mjs writes)
//   HEAPBOOK_EXPECT_PEAK    the peak the summary must show (default "512.0 KiB")
//   HEAPBOOK_EXPECT_WIDEST  the frames, comma-separated, that must follow one
//                           another on the widest path down from the root
//                           (default "main,fibonacci_hash,sum_of_fibonacci,fibonacci":
//                           exercise 01's starter, whose 512 KiB array is
//                           nearly all that is live at the peak); one name
//                           is enough
//   HEAPBOOK_CHROMIUM       the browser (default /usr/bin/chromium)
//   HEAPBOOK_SHOTS          the folder of the screenshots (default
//                           build/web-test; make screenshots names its own)
//
// Everything else is checked against the page's own data (the HEAPBOOK
// global, folded by the page's own model: HeapbookModel, model.js), so the
// same test runs on the samples and on real output of `heapbook
// flamegraph`: one run, a diff, or the processes of a --follow-fork run.  Screenshots go to build/web-test/flamegraph.png
// (the first page) and build/web-test/flamegraph-NAME.png (the others): the
// pictures of the lessons are these (tools/screenshots.py).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'profiler', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const PAGES = (process.env.HEAPBOOK_PAGE || 'build/web-test/sample.html')
  .split(delimiter).filter(Boolean).map((page) => resolve(root, page));
const EXPECT_PEAK = process.env.HEAPBOOK_EXPECT_PEAK || '512.0 KiB';
const EXPECT_WIDEST = (process.env.HEAPBOOK_EXPECT_WIDEST || 'main,fibonacci_hash,sum_of_fibonacci,fibonacci')
  .split(',').map((name) => name.trim()).filter(Boolean);
const CHROMIUM = process.env.HEAPBOOK_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.HEAPBOOK_SHOTS || join(root, 'build', 'web-test');

// Debian's Chromium, quiet: with the network closed, the background services
// that these flags turn off would hang on their connection attempts.
// playwright-core gives each launch a fresh, temporary --user-data-dir.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// The page's contract (profiler/web/page.js): search matches are drawn in this
// colour, a match is a case-insensitive substring of a frame's name or file.
const HIGHLIGHT = '#e600e6';
// page.html's <script> elements: d3, d3-flame-graph, model.js, the data, page.js.
const SCRIPTS = 5;
// page.js's noise for times in a diff: beyond 20 % of the larger and 20 ms.
const beyondTimeNoise = (a, b) => Math.abs(b - a) > Math.max(20, 0.2 * Math.max(a, b));

/* Sizes as the harness prints them (harness/base/format.c); written again here
 * so that the page's own formatting is checked, not trusted. */
function formatBytes(bytes) {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const sign = bytes < 0 ? '-' : '';
  const size = Math.abs(bytes);
  if (size < 1024) return `${sign}${size} B`;
  let unit = 0;
  let unitBytes = 1024;
  while (unit < units.length - 1 && Math.floor(size / unitBytes) >= 1024) {
    unitBytes *= 1024;
    unit++;
  }
  const tenths = Math.floor((size * 10 + unitBytes / 2) / unitBytes);
  return `${sign}${Math.floor(tenths / 10)}.${tenths % 10} ${units[unit]}`;
}

function* walk(node, parent = null) {
  yield [node, parent];
  for (const child of node.children || []) yield* walk(child, node);
}

function rgb(color) {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return hex.slice(1).map((h) => parseInt(h, 16));
  const fn = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(color);
  assert.ok(fn, `not a colour: ${color}`);
  return fn.slice(1).map(Number);
}

if (!existsSync(CHROMIUM)) {
  throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) ` +
    'or point HEAPBOOK_CHROMIUM at one');
}
let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
});
after(async () => {
  await browser?.close();
});

PAGES.forEach((pagePath, pageIndex) => {
  describe(`flame graph page ${basename(pagePath)}`, () => {
    const url = pathToFileURL(pagePath).href;
    const errors = [];
    const requests = [];
    let page;
    let data;
    let flame; /* the tree the page draws first */
    let atLoad; /* the frames as drawn when the page had just loaded */

    /* Every frame as drawn, once the transitions have stopped moving it. */
    async function frames() {
      const read = () => page.evaluate(() => [...document.querySelectorAll('#flamegraph g.frame')].map((g) => {
        const shift = g.transform.baseVal.consolidate();
        const [x, y] = shift ? [shift.matrix.e, shift.matrix.f] : [0, 0];
        const rect = g.querySelector('rect');
        const label = g.querySelector('.d3-flame-graph-label');
        return {
          name: g.getAttribute('name'),
          x: Number(x),
          y: Number(y),
          width: Number(rect.getAttribute('width')),
          fill: rect.getAttribute('fill'),
          label: label ? label.textContent : null,
          faded: g.classList.contains('fade'),
        };
      }));
      let last = JSON.stringify(await read());
      for (let tries = 0; tries < 50; tries++) {
        await page.waitForTimeout(100);
        const now = await read();
        const json = JSON.stringify(now);
        if (json === last && now.every((f) => f.label !== '' && !Number.isNaN(f.width))) return now;
        last = json;
      }
      throw new Error('the flame graph never stopped moving');
    }

    const svgWidth = () => page.evaluate(() => Number(document.querySelector('#flamegraph svg').getAttribute('width')));
    const rootFrame = (all) => frameNamed(all, flame.name);
    const firstView = () => page.evaluate(() => HeapbookModel.flame(HEAPBOOK,
      { view: HEAPBOOK.mode === 'diff' ? HEAPBOOK.view || 'peak' : HEAPBOOK.mode }));
    const sum = (key) => data.runs.reduce((total, run) => total + (run[key] || 0), 0);

    /* The frame to use for `name`: the widest one so called. */
    function frameNamed(all, name) {
      const named = all.filter((f) => f.name === name).sort((a, b) => b.width - a.width);
      assert.ok(named.length > 0, `no frame named ${JSON.stringify(name)} in the flame graph`);
      return named[0];
    }

    const isIcicle = async () => (await page.locator('#orient-icicle').getAttribute('aria-pressed')) === 'true';

    /* The widest <g> of the frames called `name`, to hover or click. */
    async function frameLocator(name) {
      const index = await page.evaluate((wanted) => {
        const all = [...document.querySelectorAll('#flamegraph g.frame')];
        let best = -1;
        all.forEach((g, i) => {
          const width = Number(g.querySelector('rect').getAttribute('width'));
          if (g.getAttribute('name') === wanted &&
              (best < 0 || width > Number(all[best].querySelector('rect').getAttribute('width')))) best = i;
        });
        return best;
      }, name);
      assert.ok(index >= 0, `no frame named ${name}`);
      return page.locator('#flamegraph g.frame').nth(index);
    }

    before(async () => {
      assert.ok(existsSync(pagePath), `no page at ${pagePath}: run \`make test-web\` (or point HEAPBOOK_PAGE at one)`);
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(10_000);
      page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('request', (request) => { if (request.url() !== url) requests.push(request.url()); });
      await page.goto(url);
      atLoad = await page.evaluate(() => [...document.querySelectorAll('#flamegraph g.frame rect')]
        .map((rect) => Number(rect.getAttribute('width'))));
      data = await page.evaluate(() => HEAPBOOK);
      flame = await firstView();
      await frames();
    });
    after(async () => {
      await page?.close();
    });

    test('opens from file:// with no console error and no network request', () => {
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
    });

    test('the flame graph is complete as soon as the page has loaded', async () => {
      const drawn = await frames();
      assert.equal(atLoad.length, drawn.length, 'frames were still being added after the page loaded');
      assert.ok(Math.abs(Math.max(...atLoad) - await svgWidth()) < 1, 'the root was not full width at load: it grew in later');
    });

    test(`the summary shows the peak (${EXPECT_PEAK})`, async () => {
      const summary = await page.locator('#stats').innerText();
      // A combined page adds up the processes' peaks: one of them is the one expected.
      if (data.combined) assert.ok(data.runs.some((run) => formatBytes(run.peak_bytes) === EXPECT_PEAK), `no process peaked at ${EXPECT_PEAK}`);
      else assert.ok(summary.includes(EXPECT_PEAK), `summary without ${EXPECT_PEAK}:\n${summary}`);
      if (data.mode === 'diff') {
        const peaks = await page.locator('#stat-peak-bytes').innerText();
        assert.ok(peaks.includes(formatBytes(data.runs[0].peak_bytes)) && peaks.includes(formatBytes(data.runs[1].peak_bytes)),
          `peak row: ${peaks}`);
      } else {
        assert.equal(await page.locator('#stat-peak').innerText(), formatBytes(sum('peak_bytes')));
        for (const id of ['#stat-allocations', '#stat-leaked', '#stat-duration']) {
          assert.notEqual((await page.locator(id).innerText()).trim(), '', `${id} is empty`);
        }
        if (data.runs.length === 1) assert.equal(await page.locator('#stats .hb-command-text').innerText(), data.runs[0].command);
        const temporary = sum('temporary_allocations');
        const allocations = await page.locator('#stats').innerText();
        if (temporary > 0) assert.ok(allocations.includes(`${temporary.toLocaleString('en-US')} temporary`), `no temporary count in:\n${allocations}`);
        else assert.ok(!allocations.includes('temporary'), 'a temporary count of none');
      }
    });

    test('the C library\'s own buffers are a note beside the leaks, not an alarm', async (t) => {
      const library = data.mode === 'diff' ? data.runs[1].library_bytes : sum('library_bytes');
      if (!(library > 0)) {
        assert.equal(await page.locator('#stat-leaked-note').count(), 0);
        t.skip('nothing kept by the C library');
        return;
      }
      const note = await page.locator('#stat-leaked-note').innerText();
      assert.ok(note.includes(formatBytes(library)) && /not a leak/.test(note), `note: ${note}`);
      assert.equal(await page.locator('#stat-leaked-note.hb-bad').count(), 0, 'the note is drawn as an alarm');
      if (data.mode !== 'diff') {
        const leaked = await page.locator('#stat-leaked').getAttribute('class');
        assert.equal(/hb-bad/.test(leaked), sum('leaked_bytes') > 0, `Leaked is ${leaked} for ${sum('leaked_bytes')} B of the program's`);
        assert.equal(await page.locator('#stat-leaked').innerText(), formatBytes(sum('leaked_bytes')));
      }
    });

    test('a diff colours a change of time only beyond run-to-run noise', async (t) => {
      if (data.mode !== 'diff') {
        t.skip(`a ${data.mode} page`);
        return;
      }
      for (const key of ['duration_ms', 'peak_time_ms']) {
        const cell = page.locator(`#stat-${key.replace(/_/g, '-')} td:last-child`);
        const coloured = /hb-(good|bad)/.test((await cell.getAttribute('class')) || '');
        const [a, b] = [data.runs[0][key], data.runs[1][key]];
        if (key === 'peak_time_ms' || !beyondTimeNoise(a, b)) assert.equal(coloured, false, `${key} ${a} -> ${b} is coloured`);
        else assert.equal(coloured, true, `${key} ${a} -> ${b} is not coloured`);
      }
      const peak = await page.locator('#stat-peak-bytes td:last-child').getAttribute('class');
      assert.equal(/hb-(good|bad)/.test(peak || ''), data.runs[0].peak_bytes !== data.runs[1].peak_bytes, 'bytes are exact: any change is coloured');
    });

    test(`the widest path from the root goes through ${EXPECT_WIDEST.join(' > ')}`, async () => {
      const all = (await frames()).filter((f) => f.width > 0);
      const levels = [...new Set(all.map((f) => f.y))].sort((a, b) => a - b);
      const cell = levels[1] - levels[0];
      // Callees are a row below their caller in an icicle, a row above in a flame.
      const icicle = await isIcicle();
      const path = [];
      let frame = rootFrame(all);
      assert.equal(frame.y, icicle ? levels[0] : levels[levels.length - 1], 'the root is not at the end of the graph');
      assert.ok(Math.abs(frame.width - await svgWidth()) < 1, 'the root frame is not full width');
      for (;;) {
        const parent = frame;
        const children = all.filter((f) => Math.abs(f.y - (parent.y + (icicle ? cell : -cell))) < 0.5 &&
          f.x >= parent.x - 0.5 && f.x < parent.x + parent.width - 0.5);
        if (children.length === 0) break;
        frame = children.reduce((a, b) => (b.width > a.width ? b : a));
        path.push(frame.name);
      }
      const at = path.indexOf(EXPECT_WIDEST[0]);
      assert.ok(at >= 0 && EXPECT_WIDEST.every((name, i) => path[at + i] === name),
        `widest path is ${path.join(' > ')}; expected it to contain ${EXPECT_WIDEST.join(' > ')}`);
    });

    test('the memory plot has labelled axes and marks the peak', async (t) => {
      const samples = data.runs.flatMap((run) => run.curve || []);
      if (samples.length === 0) {
        assert.match(await page.locator('#timeline').innerText(), /No memory samples/);
        t.skip('this capture has no samples');
        return;
      }
      const texts = (selector) => page.locator(selector).evaluateAll((all) => all.map((e) => e.textContent));
      const titles = await texts('#timeline .hb-axis-title');
      // RSS more than 4 times the heap's peak gets an axis of its own (page.js's OWN_AXIS_RATIO).
      const one = !data.combined && data.mode !== 'diff';
      const rssSamples = one ? (data.runs[0].curve || []).filter((c) => typeof c[2] === 'number') : [];
      const maxRss = Math.max(0, ...rssSamples.map((c) => c[2]));
      const ownAxis = maxRss > 4 * data.runs[0].peak_bytes && data.runs[0].peak_bytes > 0;
      assert.equal(titles[0], 'time since start (ms)');
      if (ownAxis) {
        assert.deepEqual(titles.length, 3);
        assert.match(titles[1], /^heap \((B|KiB|MiB|GiB|TiB)\)$/);
        assert.match(titles[2], /^RSS \((B|KiB|MiB|GiB|TiB)\)$/);
        assert.equal(await page.locator('#timeline .hb-axis-rss').count(), 1);
      } else {
        assert.deepEqual(titles.length, 2);
        assert.match(titles[1], /^memory \((B|KiB|MiB|GiB|TiB)\)$/);
      }
      assert.equal(await page.locator('#timeline path.hb-line:not(.hb-rss-line)').count(), data.combined ? data.runs.length : one ? 1 : 2,
        'the heap (before and after in a diff, a heap per process on a combined page)');
      // RSS only where it was sampled: a line per run of samples at most 25 ms apart (page.js's RSS_GAP_MS).
      const segments = rssSamples.filter((c, i) => i === 0 || c[0] - rssSamples[i - 1][0] > 25).length;
      assert.equal(await page.locator('#timeline path.hb-rss-line').count(), segments,
        `RSS drawn as ${segments} line(s), one per run of samples without a gap`);
      if (data.combined) return;
      const label = (await texts('#timeline .hb-peak-label')).join('\n');
      assert.ok(label.includes(formatBytes(data.runs[0].peak_bytes)), `peak label: ${label}`);
      assert.ok((await page.locator('#timeline .hb-peak-marker circle').count()) >= 1, 'no peak dot');
    });

    test('a click on the plot shows what was live at that moment, and back to the peak', async (t) => {
      const run = data.runs.find((r) => (r.moments || []).length > 0);
      if (data.mode === 'diff' || !run) {
        t.skip('no moments to choose');
        return;
      }
      // The curve point that held the most short of the peak: a moment other than it.
      const point = run.curve.filter(([, heap]) => heap < run.peak_bytes).reduce((a, b) => (b[1] > a[1] ? b : a));
      const t0 = (data.combined ? run.start_ms : 0) + point[0];
      const expected = await page.evaluate((moment) => HeapbookModel.flame(HEAPBOOK, { view: 'moment', t: moment }), t0);
      const hit = page.locator('#timeline-hit');
      const box = await hit.boundingBox();
      const domain = await page.evaluate(() => {
        const ticks = [...document.querySelectorAll('#timeline .hb-axis-x .tick')];
        return ticks.map((tick) => [Number(tick.__data__), tick.transform.baseVal.consolidate().matrix.e]);
      });
      const [[v0, x0], [v1, x1]] = [domain[0], domain[domain.length - 1]];
      await hit.click({ position: { x: x0 + (t0 - v0) * (x1 - x0) / (v1 - v0), y: box.height / 2 } });
      const title = await page.locator('#flame-title').textContent();
      assert.match(title, /^Live at /);
      assert.match(await page.locator('#mode').textContent(), /^at [0-9.]+ (ms|s)$/, 'the badge names the moment chosen');
      assert.ok(title.endsWith(formatBytes(expected.value)), `"${title}": the moment at ${t0} ms holds ${formatBytes(expected.value)}`);
      const drawn = await frames();
      assert.ok(Math.abs(rootFrame(drawn).width - await svgWidth()) < 1);
      assert.equal(await page.locator('#moment-marker').count(), 1, 'no marker at the moment chosen');
      await page.locator('#back-to-peak').click();
      assert.doesNotMatch(await page.locator('#flame-title').textContent(), /^Live at [0-9]/);
      assert.doesNotMatch(await page.locator('#mode').textContent(), /^at [0-9]/, 'the badge is back');
      assert.equal(await page.locator('#moment-marker').count(), 0);
      await frames();
    });

    test('the table of functions sorts by the heading clicked', async (t) => {
      if (data.mode === 'diff') {
        assert.equal(await page.locator('#functions-card').isHidden(), true, 'no table in a diff');
        t.skip('a diff has no table');
        return;
      }
      const column = async (index) => page.locator('#functions tbody tr').evaluateAll(
        (rows, i) => rows.map((row) => row.children[i].textContent), index);
      const bytes = (text) => {
        const [number, unit] = text.split(' ');
        return Number(number) * Math.pow(1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB'].indexOf(unit));
      };
      const totals = (await column(3)).map(bytes);
      assert.ok(totals.length > 0, 'no rows');
      assert.deepEqual(totals, [...totals].sort((a, b) => b - a), 'sorted by total first');
      await page.locator('#functions th button[data-key="own"]').click();
      const owns = (await column(2)).map(bytes);
      assert.deepEqual(owns, [...owns].sort((a, b) => b - a), 'sorted by own after a click');
      assert.equal(await page.locator('#functions th[aria-sort="descending"] button').textContent(), 'own');
      await page.locator('#functions th button[data-key="own"]').click();
      const again = (await column(2)).map(bytes);
      assert.deepEqual(again, [...again].sort((a, b) => a - b), 'a second click turns the order round');
      await page.locator('#functions th button[data-key="total"]').click();
    });

    test('a combined page has each process as a top frame', async (t) => {
      if (!data.combined) {
        t.skip('one run');
        return;
      }
      const drawn = await frames();
      for (const run of data.runs.filter((r) => r.peak_bytes > 0)) {
        assert.ok(drawn.some((f) => f.name === run.label), `no top frame for ${run.label}`);
      }
    });

    test('hovering a frame shows its function, place, bytes, share and blocks', async () => {
      const name = EXPECT_WIDEST[EXPECT_WIDEST.length - 1];
      // The widest of the frames so called, as frameLocator hovers: a function
      // that calls at several lines is a frame for each.
      const node = [...walk(flame)].map(([n]) => n).filter((n) => n.name === name)
        .reduce((widest, n) => (!widest || n.value > widest.value ? n : widest), null);
      assert.ok(node, `no frame named ${name} in the data`);
      await (await frameLocator(name)).hover();
      const tip = await page.locator('#tooltip').innerText();
      assert.ok(tip.startsWith(name), tip);
      if (node.file) assert.ok(tip.includes(node.line ? `${node.file}:${node.line}` : node.file), tip);
      assert.ok(tip.includes(formatBytes(node.value)), tip);
      assert.match(tip, /share of total\s+\d+\.\d%/);
      if (typeof node.allocations === 'number') assert.match(tip, /blocks/);
      if (data.mode === 'diff') assert.ok(tip.includes((node.delta > 0 ? '+' : '') + formatBytes(node.delta)), tip);
      await page.mouse.move(1, 1);
      assert.equal(await page.locator('#tooltip').isHidden(), true, 'the tooltip stays after the mouse left');
    });

    test('clicking a frame zooms into it, and reset zoom undoes it', async () => {
      const name = EXPECT_WIDEST[Math.min(1, EXPECT_WIDEST.length - 1)];
      const before = frameNamed(await frames(), name);
      const width = await svgWidth();
      assert.equal(await page.locator('#reset-zoom').isDisabled(), true);
      await (await frameLocator(name)).click();
      const zoomed = await frames();
      assert.ok(Math.abs(frameNamed(zoomed, name).width - width) < 1,
        `${name} is ${frameNamed(zoomed, name).width}px wide after a click, not ${width}px`);
      assert.ok(zoomed.some((f) => f.faded), 'the callers of the zoomed frame are not faded');
      assert.match(await page.locator('#crumbs').innerText(), new RegExp(`Zoomed into .*${name}`));
      assert.equal(await page.locator('#reset-zoom').isDisabled(), false);
      await page.locator('#reset-zoom').click();
      const reset = await frames();
      assert.ok(Math.abs(frameNamed(reset, name).width - before.width) < 1, 'reset zoom did not restore the widths');
      assert.ok(Math.abs(rootFrame(reset).width - width) < 1, 'the root is not full width after reset');
      assert.equal(await page.locator('#reset-zoom').isDisabled(), true);
    });

    test('search highlights the matching frames and totals their bytes', async () => {
      const term = EXPECT_WIDEST[EXPECT_WIDEST.length - 1];
      const matches = (n) => [n.name, n.file, n.module].some((s) => String(s || '').toLowerCase().includes(term.toLowerCase()));
      const count = [...walk(flame)].filter(([node]) => matches(node)).length;
      // Bytes of the topmost matches only: nested ones are already in theirs.
      const topmost = (node) => (matches(node) ? node.value : (node.children || []).reduce((sum, c) => sum + topmost(c), 0));
      const bytes = topmost(flame);
      await page.locator('#search').fill(term);
      const drawn = await frames();
      const highlighted = drawn.filter((f) => f.fill.toLowerCase() === HIGHLIGHT);
      assert.ok(highlighted.some((f) => f.name === term), `${term} is not highlighted`);
      assert.equal(highlighted.length, count, `highlighted: ${highlighted.map((f) => f.name).join(', ')}`);
      assert.notEqual(rootFrame(drawn).fill.toLowerCase(), HIGHLIGHT, 'the root is highlighted');
      const result = await page.locator('#search-result').innerText();
      assert.ok(result.includes(formatBytes(bytes)), `search result "${result}" without ${formatBytes(bytes)}`);
      await page.locator('#search').fill('');
      assert.equal((await frames()).filter((f) => f.fill.toLowerCase() === HIGHLIGHT).length, 0, 'clearing the search left highlights');
      assert.equal(await page.locator('#search-result').innerText(), '');
    });

    test('the icicle/flame toggle flips the orientation', async () => {
      const startIcicle = await isIcicle();
      assert.equal(startIcicle, typeof data.inverted === 'boolean' ? data.inverted : true,
        'the page did not start in the orientation the capture asked for');
      const leaf = EXPECT_WIDEST[EXPECT_WIDEST.length - 1];
      const check = async (icicle) => {
        const drawn = await frames();
        const ends = drawn.map((f) => f.y);
        const name = icicle ? 'icicle' : 'flame';
        assert.equal(rootFrame(drawn).y, icicle ? Math.min(...ends) : Math.max(...ends),
          `${name}: the root is not at the ${icicle ? 'top' : 'bottom'}`);
        assert.ok(icicle ? frameNamed(drawn, leaf).y > rootFrame(drawn).y : frameNamed(drawn, leaf).y < rootFrame(drawn).y,
          `${name}: callees are not ${icicle ? 'below' : 'above'} their callers`);
        assert.equal(await page.locator(icicle ? '#orient-icicle' : '#orient-flame').getAttribute('aria-pressed'), 'true');
      };
      await check(startIcicle);
      await page.locator(startIcicle ? '#orient-flame' : '#orient-icicle').click();
      await check(!startIcicle);
      await page.locator(startIcicle ? '#orient-icicle' : '#orient-flame').click();
      await check(startIcicle);
    });

    test('the flame graph and the plot follow the window width', async () => {
      const wide = await svgWidth();
      await page.setViewportSize({ width: 1000, height: 900 });
      try {
        await page.waitForFunction((old) =>
          Number(document.querySelector('#flamegraph svg').getAttribute('width')) < old, wide);
        const narrow = await svgWidth();
        const box = await page.locator('#flamegraph').boundingBox();
        assert.ok(Math.abs(narrow - box.width) < 1, `flame graph ${narrow}px wide in a ${box.width}px box`);
        assert.ok(Math.abs(rootFrame(await frames()).width - narrow) < 1, 'the root is not full width');
        if (await page.locator('#timeline svg').count()) {
          const plot = Number(await page.locator('#timeline svg').getAttribute('width'));
          const plotBox = await page.locator('#timeline').boundingBox();
          assert.ok(Math.abs(plot - plotBox.width) < 1, `plot ${plot}px wide in a ${plotBox.width}px box`);
        }
      } finally {
        await page.setViewportSize({ width: 1400, height: 900 });
      }
      await page.waitForFunction((old) =>
        Number(document.querySelector('#flamegraph svg').getAttribute('width')) === old, wide);
      await frames();
    });

    test('names from the capture show as text and never run as code', async () => {
      assert.equal(await page.evaluate(() => typeof window.HEAPBOOK_PWNED), 'undefined', 'a captured string ran as code');
      assert.equal(await page.locator('script').count(), SCRIPTS, 'a captured string added or ended a <script>');
      assert.equal(await page.locator('img').count(), 0, 'a captured string became an element');
      assert.equal(await page.locator('#title').innerText(), data.title);
      const drawn = await frames();
      const tricky = [...walk(flame)].map(([n]) => n.name).filter((name) => /[<>&]/.test(name));
      for (const name of tricky) {
        const frame = drawn.find((f) => f.name === name);
        assert.ok(frame, `no frame named ${name}`);
        assert.equal(frame.label, name);
      }
    });

    test('diff mode colours growth red and shrink blue, with a legend', async (t) => {
      if (data.mode !== 'diff') {
        assert.equal(await page.locator('#diff-legend').isHidden(), true);
        t.skip(`a ${data.mode} capture`);
        return;
      }
      const legend = await page.locator('#diff-legend').innerText();
      assert.match(legend, /shrank/);
      assert.match(legend, /grew/);
      const drawn = await frames();
      let grew = 0;
      let shrank = 0;
      for (const [node] of walk(flame)) {
        const frame = drawn.find((f) => f.name === node.name && f.width > 0);
        if (!frame || !node.delta) continue;
        const [r, , b] = rgb(frame.fill);
        if (node.delta > 0) { assert.ok(r > b, `${node.name} grew but is drawn ${frame.fill}`); grew++; }
        if (node.delta < 0) { assert.ok(b > r, `${node.name} shrank but is drawn ${frame.fill}`); shrank++; }
      }
      if (grew + shrank === 0) {
        // Two runs alike: every frame in the neutral grey.
        for (const frame of drawn.filter((f) => f.width > 0)) {
          const [r, g, b] = rgb(frame.fill);
          assert.ok(Math.max(r, g, b) - Math.min(r, g, b) < 16, `${frame.name} did not change but is drawn ${frame.fill}`);
        }
      }
    });

    test('screenshot', async () => {
      mkdirSync(SHOTS, { recursive: true });
      const name = EXPECT_WIDEST[EXPECT_WIDEST.length - 1];
      await (await frameLocator(name)).hover();
      const file = join(SHOTS, pageIndex === 0 ? 'flamegraph.png' : `flamegraph-${basename(pagePath, '.html')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(existsSync(file));
    });

    test('no console error and no network request in the whole session', () => {
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
    });
  });
});
