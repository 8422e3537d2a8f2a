/* heapbook's page model: the captures' data (the HEAPBOOK global that
 * `heapbook flamegraph` writes, profiler/web/README.md) folded into the
 * flame graph of any moment.  Pure functions, no DOM: page.js draws what
 * they return, and tests/profiler/page_model.mjs runs them in node on real
 * pages, so what the page shows is checked without a browser.
 *
 * The data holds one call tree for every run (`nodes`, each [parent, name,
 * file, line, module, offset], parents first), and per run the figures of
 * each stack it shows (`stacks[i]` is the node of stack i's innermost
 * frame): at the peak, never freed, and at each point of its curve as the
 * stacks that changed since the point before (`moments`).  A view is a
 * list of [stack, bytes, blocks]; folding it adds each stack's figures to
 * its node and every node above. */
const HeapbookModel = (function () {
  'use strict';

  /* Bytes and blocks per node, for the figures of one run. */
  function fold(data, run, figures, bytes, blocks) {
    const nodes = data.nodes;
    figures.forEach(([stack, b, n]) => {
      for (let node = run.stacks[stack]; node >= 0 && node < nodes.length; node = nodes[node][0]) {
        bytes[node] += b;
        blocks[node] += n;
      }
    });
  }

  function zeros(data) {
    return { bytes: new Float64Array(data.nodes.length), blocks: new Float64Array(data.nodes.length) };
  }

  /* The figures of `run` at curve point `index`: every moment up to it
   * applied in turn. */
  function figuresAtMoment(run, index) {
    const current = new Map();
    const last = Math.min(index, (run.moments || []).length - 1);
    for (let m = 0; m <= last; m++) {
      run.moments[m].forEach(([stack, b, n]) => current.set(stack, [stack, b, n]));
    }
    return Array.from(current.values()).filter(([, , n]) => n > 0);
  }

  /* The curve point of `run` nearest to page time `t` (ms), or -1 if the
   * run was not running then or has no moments there. */
  function momentAt(run, t) {
    const local = t - (run.start_ms || 0);
    const curve = run.curve || [];
    if (curve.length === 0 || local < 0 || local > Math.max(run.duration_ms || 0, curve[curve.length - 1][0])) return -1;
    let best = 0;
    curve.forEach((point, i) => {
      if (Math.abs(point[0] - local) < Math.abs(curve[best][0] - local)) best = i;
    });
    return best < (run.moments || []).length ? best : -1;
  }

  /* The nested tree d3-flame-graph draws: nodes with value > 0 (or, in a
   * diff, with either run's value > 0), children as arrays. */
  function nest(data, value, blocks, delta) {
    const nodes = data.nodes;
    const made = new Array(nodes.length);
    for (let id = 0; id < nodes.length; id++) {
      const [parent, name, file, line, module, offset] = nodes[id];
      if (!(value[id] > 0)) continue;
      const frame = { name: name, file: file, line: line, module: module, offset: offset, value: value[id], allocations: blocks[id] };
      if (delta) frame.delta = delta[id];
      made[id] = frame;
      if (parent >= 0 && made[parent]) (made[parent].children = made[parent].children || []).push(frame);
    }
    return made[0] || { name: 'all', file: '', line: 0, value: 0, allocations: 0 };
  }

  /* The figures of `run` for `choice`: {view: 'peak'}, {view: 'leaks'} or
   * {view: 'moment', t: ms}. */
  function runFigures(run, choice) {
    if (choice.view === 'leaks') return run.leaks || [];
    if (choice.view === 'moment') {
      const index = momentAt(run, choice.t);
      return index < 0 ? [] : figuresAtMoment(run, index);
    }
    return run.peak || [];
  }

  /* The flame graph for `choice`: one run, or the sum over runs (a
   * combined page: each run under its own top frame), or in a diff the
   * larger of before and after per frame, with delta = after - before. */
  function flame(data, choice) {
    const runs = data.runs || [];
    if (data.mode === 'diff' && runs.length === 2) {
      const before = zeros(data);
      const after = zeros(data);
      fold(data, runs[0], runFigures(runs[0], choice), before.bytes, before.blocks);
      fold(data, runs[1], runFigures(runs[1], choice), after.bytes, after.blocks);
      const value = before.bytes.map((b, i) => Math.max(b, after.bytes[i]));
      const blocks = before.blocks.map((b, i) => Math.max(b, after.blocks[i]));
      const delta = after.bytes.map((a, i) => a - before.bytes[i]);
      return nest(data, value, blocks, delta);
    }
    const sum = zeros(data);
    runs.forEach((run) => fold(data, run, runFigures(run, choice), sum.bytes, sum.blocks));
    return nest(data, sum.bytes, sum.blocks, null);
  }

  /* The functions of a flame graph (a function: a name in a file, or in a
   * module without one): the bytes each allocated itself (own), those
   * the stacks through it hold (total: a frame under another frame of the
   * same function, a recursion, is not counted again), and the blocks it
   * allocated itself.  Rows in no order; the root "all" is none. */
  function functions(tree) {
    const rows = new Map();
    function visit(node, open) {
      const key = node.name + '\u0000' + (node.file || node.module || '');
      let row = rows.get(key);
      if (!row) {
        row = { name: node.name, file: node.file || '', module: node.module || '', own: 0, total: 0, blocks: 0 };
        rows.set(key, row);
      }
      let childBytes = 0;
      let childBlocks = 0;
      (node.children || []).forEach((child) => { childBytes += child.value || 0; childBlocks += child.allocations || 0; });
      row.own += Math.max(0, (node.value || 0) - childBytes);
      row.blocks += Math.max(0, (node.allocations || 0) - childBlocks);
      const outermost = !open.has(key);
      if (outermost) {
        row.total += node.value || 0;
        open.add(key);
      }
      (node.children || []).forEach((child) => visit(child, open));
      if (outermost) open.delete(key);
    }
    (tree.children || []).forEach((child) => visit(child, new Set()));
    return Array.from(rows.values());
  }

  /* Bytes live in all runs at page time `t`, from the moments. */
  function liveAt(data, t) {
    let bytes = 0;
    (data.runs || []).forEach((run) => {
      const index = momentAt(run, t);
      if (index >= 0) figuresAtMoment(run, index).forEach(([, b]) => { bytes += b; });
    });
    return bytes;
  }

  return { flame: flame, functions: functions, momentAt: momentAt, liveAt: liveAt, figuresAtMoment: figuresAtMoment };
})();

if (typeof module !== 'undefined' && module.exports) module.exports = HeapbookModel;
