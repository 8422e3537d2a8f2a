/* heapbook's flame graph page: what profiler/web/page.html runs.
 *
 * `heapbook flamegraph` inlines this file into page.html after d3 (global
 * `d3`), d3-flame-graph (global `flamegraph`), the page model (global
 * `HeapbookModel`, model.js) and the captures (global `HEAPBOOK`, described
 * in profiler/web/README.md).  It draws three things: the summary, the heap
 * and RSS over time, and the flame graph of what was live at the peak (mode
 * "peak"), never freed ("leaks"), or how two runs differ ("diff").  A click
 * on the plot shows the flame graph of what was live at that moment; a
 * page of several processes (a --follow-fork run) has each as a top frame.
 *
 * Every string in HEAPBOOK comes from the program that was traced (function
 * names, file names, its command line): it only ever reaches the page as
 * text (d3's .text(), textContent), never as HTML. */
(function () {
  'use strict';

  const data = HEAPBOOK;
  const model = HeapbookModel;
  const mode = data.mode === 'leaks' || data.mode === 'diff' ? data.mode : 'peak';
  const runs = Array.isArray(data.runs) ? data.runs : [];
  const combined = mode !== 'diff' && runs.length > 1;
  /* d3-flame-graph's sense: inverted is the icicle, callers at the top.
   * The capture may choose (heapbook flamegraph --inverted); else icicle. */
  const startIcicle = typeof data.inverted === 'boolean' ? data.inverted : true;

  /* The flame graph's geometry and timing.  A short transition keeps a
   * zoom readable without making the page feel slow; the first drawing
   * has none, so the page is complete as soon as it loads. */
  const CELL_HEIGHT = 20;
  const TRANSITION_MS = 300;
  const HIGHLIGHT = '#e600e6'; /* search matches: magenta, as in every flame graph tool */
  const TIMELINE_HEIGHT = 250; /* at least; #timeline's min-height in page.html */
  const SPARSE_SAMPLES = 12;
  /* heapbook run samples the resident set size every 10 ms: samples
   * further apart than this have a gap between them (the collector was
   * busy), where the line is not drawn and the tooltip shows no RSS. */
  const RSS_GAP_MS = 25;
  /* RSS this many times the heap's peak would squash the heap flat: the
   * heap then gets the left axis to itself, RSS one on the right. */
  const OWN_AXIS_RATIO = 4;
  /* The plot's colours; the same as --accent and --rss in page.html. */
  const HEAP_COLOR = '#d9480f';
  const RSS_COLOR = '#4263eb';
  const BEFORE_COLOR = '#868e96';
  const MOMENT_COLOR = '#1d2330';
  /* A process's line on a combined page. */
  const PROCESS_COLORS = ['#d9480f', '#4263eb', '#2b8a3e', '#ae3ec9', '#e8590c', '#1098ad', '#5c940d', '#c2255c'];
  /* Times vary from run to run; a change is only coloured when it is
   * beyond that noise: more than this share of the larger time, and more
   * than two of the recorder's 10 ms samples.  Bytes and counts are exact:
   * any change of theirs is coloured. */
  const TIME_NOISE_SHARE = 0.2;
  const TIME_NOISE_MS = 20;

  // ---------------------------------------------------------------- formats

  const IEC_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

  /* Bytes as the harness prints them (harness/base/format.c, hb_size_format):
   * "100 B" below 1 KiB, else one decimal, rounded half up, in the largest
   * unit that leaves at least 1 of it ("512.0 KiB").  Negative sizes (a diff's
   * shrink) keep their sign. */
  function formatBytes(bytes) {
    if (typeof bytes !== 'number' || !isFinite(bytes)) return '\u2014';
    const sign = bytes < 0 ? '-' : '';
    const size = Math.round(Math.abs(bytes));
    if (size < 1024) return sign + size + ' B';
    let unit = 0;
    let unitBytes = 1024;
    while (unit < IEC_UNITS.length - 1 && Math.floor(size / unitBytes) >= 1024) {
      unitBytes *= 1024;
      unit++;
    }
    const tenths = Math.floor((size * 10 + unitBytes / 2) / unitBytes);
    return sign + Math.floor(tenths / 10) + '.' + (tenths % 10) + ' ' + IEC_UNITS[unit];
  }

  function formatDelta(bytes) {
    return (bytes > 0 ? '+' : '') + formatBytes(bytes);
  }

  function formatMs(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '\u2014';
    return ms < 1000 ? ms.toFixed(1) + ' ms' : (ms / 1000).toFixed(2) + ' s';
  }

  /* Counts with thousands separators, and an ASCII minus like the sizes
   * (d3.format would write U+2212). */
  const thousands = d3.format(',');
  const formatCount = (n) => (typeof n === 'number' && isFinite(n) ? (n < 0 ? '-' : '') + thousands(Math.abs(n)) : '\u2014');
  const plural = (n, one, many) => formatCount(n) + ' ' + (n === 1 ? one : many);
  const percent = (part, whole) => (whole > 0 ? (100 * part / whole).toFixed(1) + '%' : '\u2014');
  const sum = (key) => runs.reduce((total, run) => total + (typeof run[key] === 'number' ? run[key] : 0), 0);

  // ---------------------------------------------------------------- header

  document.title = data.title || 'heapbook flame graph';
  d3.select('#title').text(data.title || 'heapbook flame graph').attr('title', data.title || null);
  const MODE_BADGE = { peak: 'at the peak', leaks: 'leaks', diff: 'diff' };
  d3.select('#mode').text(MODE_BADGE[mode]);

  // ---------------------------------------------------------------- summary

  function metric(parent, options) {
    const card = parent.append('div').attr('class', 'hb-metric' + (options.cls ? ' ' + options.cls : ''));
    card.append('div').attr('class', 'hb-label').text(options.label);
    const value = card.append('div').attr('class', 'hb-value').text(options.value);
    if (options.id) value.attr('id', options.id);
    if (options.valueCls) value.classed(options.valueCls, true);
    card.append('div').attr('class', 'hb-sub').text(options.sub);
    if (options.note) card.append('div').attr('class', 'hb-note').attr('id', options.id + '-note').text(options.note);
  }

  function commandLine(parent, label, command) {
    const row = parent.append('div').attr('class', 'hb-command');
    row.append('span').attr('class', 'hb-label').text(label);
    row.append('code').attr('class', 'hb-command-text').text(command || '\u2014');
  }

  /* What the C library and C++ runtime kept for themselves: shown apart
   * from the program's leaks, as a fact, not an alarm. */
  function libraryNote(bytes, blocks) {
    if (!(bytes > 0)) return null;
    return 'The C library kept ' + formatBytes(bytes) + ' in ' + plural(blocks, 'block', 'blocks') +
      ' for itself (stdio buffers, the C++ exception pool) until the end: not a leak of the program\u2019s.';
  }

  function drawRunSummary(stats) {
    const run = runs[0] || {};
    if (combined) {
      commandLine(stats, 'Processes', runs.length + ' (' + runs.map((r) => r.pid).join(', ') + ')');
    } else {
      commandLine(stats, 'Command', run.command);
    }
    const metrics = stats.append('div').attr('class', 'hb-metrics');
    const leaked = sum('leaked_bytes');
    const peakNote = combined ? 'each process at its own peak, added up' : 'at ' + formatMs(run.peak_time_ms) + ' of ' + formatMs(run.duration_ms);
    metric(metrics, {
      cls: 'hb-peak', label: 'Peak heap', id: 'stat-peak', value: formatBytes(sum('peak_bytes')), sub: peakNote,
    });
    const temporary = sum('temporary_allocations');
    metric(metrics, {
      label: 'Allocations', id: 'stat-allocations', value: formatCount(sum('total_allocations')),
      sub: formatBytes(sum('total_bytes')) + ' requested in total' +
        (temporary > 0 ? '; ' + formatCount(temporary) + ' temporary (freed right after allocation)' : ''),
    });
    metric(metrics, {
      label: 'Leaked', id: 'stat-leaked', value: formatBytes(leaked), valueCls: leaked > 0 ? 'hb-bad' : 'hb-good',
      sub: leaked > 0 ? plural(sum('leaked_blocks'), 'block', 'blocks') + ' the program never freed' : 'the program freed every block',
      note: libraryNote(sum('library_bytes'), sum('library_blocks')),
    });
    metric(metrics, {
      label: 'Run time', id: 'stat-duration', value: formatMs(combined ? Math.max(...runs.map((r) => (r.start_ms || 0) + (r.duration_ms || 0))) : run.duration_ms),
      sub: combined ? 'from the first start to the last end' : run.pid !== undefined ? 'process ' + run.pid : '',
    });
  }

  /* A change is coloured only if it is beyond noise (TIME_NOISE_*). */
  function beyondNoise(key, before, after) {
    if (!/_ms$/.test(key)) return before !== after;
    return Math.abs(after - before) > Math.max(TIME_NOISE_MS, TIME_NOISE_SHARE * Math.max(before, after));
  }

  function drawDiffSummary(stats) {
    const before = runs[0] || {};
    const after = runs[1] || {};
    const commands = stats.append('div').attr('class', 'hb-commands');
    commandLine(commands, 'Before', before.command);
    commandLine(commands, 'After', after.command);
    const rows = [
      ['Peak heap', 'peak_bytes', formatBytes, formatDelta, true],
      ['Peak at', 'peak_time_ms', formatMs, (ms) => (ms > 0 ? '+' : '') + formatMs(ms), false],
      ['Allocations', 'total_allocations', formatCount, (n) => (n > 0 ? '+' : '') + formatCount(n), true],
      ['Bytes allocated', 'total_bytes', formatBytes, formatDelta, true],
      ['Leaked', 'leaked_bytes', formatBytes, formatDelta, true],
      ['Run time', 'duration_ms', formatMs, (ms) => (ms > 0 ? '+' : '') + formatMs(ms), true],
    ];
    const table = stats.append('table').attr('class', 'hb-diff');
    const head = table.append('thead').append('tr');
    ['', 'before', 'after', 'change'].forEach((h) => head.append('th').text(h));
    const body = table.append('tbody');
    rows.forEach(([label, key, format, formatChange, lessIsBetter]) => {
      const a = before[key];
      const b = after[key];
      const tr = body.append('tr').attr('id', 'stat-' + key.replace(/_/g, '-'));
      tr.append('td').text(label);
      tr.append('td').text(format(a));
      tr.append('td').text(format(b));
      const known = typeof a === 'number' && typeof b === 'number';
      const change = known ? b - a : NaN;
      const real = known && lessIsBetter && beyondNoise(key, a, b);
      tr.append('td').text(known ? formatChange(change) : '\u2014')
        .attr('title', known && !real && change !== 0 ? 'within the run-to-run noise of a time' : null)
        .classed('hb-bad', real && change > 0)
        .classed('hb-good', real && change < 0);
    });
    const note = libraryNote(after.library_bytes, after.library_blocks);
    if (note) stats.append('p').attr('class', 'hb-note').attr('id', 'stat-leaked-note').text(note);
  }

  const stats = d3.select('#stats');
  if (mode === 'diff') drawDiffSummary(stats);
  else drawRunSummary(stats);

  // ---------------------------------------------------------------- tooltip

  const tooltip = d3.select('#tooltip');
  let pointer = { x: 0, y: 0 };
  document.addEventListener('mousemove', (event) => {
    pointer = { x: event.clientX, y: event.clientY };
    if (!tooltip.property('hidden')) placeTooltip();
  });

  function placeTooltip() {
    const node = tooltip.node();
    const gap = 14;
    let x = pointer.x + gap;
    let y = pointer.y + gap;
    if (x + node.offsetWidth > window.innerWidth - 8) x = Math.max(8, pointer.x - gap - node.offsetWidth);
    if (y + node.offsetHeight > window.innerHeight - 8) y = Math.max(8, pointer.y - gap - node.offsetHeight);
    tooltip.style('left', x + 'px').style('top', y + 'px');
  }

  /* title: bold first line; where: a muted second line; rows: [label, value]. */
  function showTooltip(title, where, rows) {
    tooltip.selectAll('*').remove();
    tooltip.append('div').attr('class', 'hb-tip-title').text(title);
    if (where) tooltip.append('div').attr('class', 'hb-tip-where').text(where);
    const table = tooltip.append('table');
    rows.forEach(([label, value]) => {
      const tr = table.append('tr');
      tr.append('td').text(label);
      tr.append('td').text(value);
    });
    tooltip.property('hidden', false);
    placeTooltip();
  }

  function hideTooltip() {
    tooltip.property('hidden', true);
  }

  // ---------------------------------------------------------------- memory over time

  /* A run's curve as points {t, heap, rss} in page time, starting at 0
   * and ending with what stayed live. */
  function runPoints(run) {
    const start = combined ? run.start_ms || 0 : 0;
    const points = [{ t: start, heap: 0 }];
    (run.curve || []).forEach(([t, heap, rss]) => {
      const point = { t: start + t, heap: heap };
      if (typeof rss === 'number') point.rss = rss;
      points.push(point);
    });
    if (typeof run.duration_ms === 'number') points.push({ t: start + run.duration_ms, heap: run.end_heap || 0 });
    return points.sort((a, b) => a.t - b.t);
  }

  /* Lines to plot: a run's heap and RSS; in a diff both runs' heaps; on a
   * combined page each process's heap. */
  function timelineSeries() {
    if (mode === 'diff') {
      const [before, after] = [runs[0] || {}, runs[1] || {}];
      return {
        lines: [
          { label: 'heap before', color: BEFORE_COLOR, points: runPoints(before), key: 'heap' },
          { label: 'heap after', color: HEAP_COLOR, points: runPoints(after), key: 'heap' },
        ],
        peaks: [
          { label: 'before', color: BEFORE_COLOR, t: before.peak_time_ms, bytes: before.peak_bytes },
          { label: 'after', color: HEAP_COLOR, t: after.peak_time_ms, bytes: after.peak_bytes },
        ],
      };
    }
    if (combined) {
      return {
        lines: runs.map((run, i) => ({
          label: run.label || run.command, color: PROCESS_COLORS[i % PROCESS_COLORS.length], points: runPoints(run), key: 'heap',
        })),
        peaks: [],
      };
    }
    const run = runs[0] || {};
    const points = runPoints(run);
    return {
      lines: [
        { label: 'heap (bytes live)', color: HEAP_COLOR, points: points, key: 'heap', area: true },
        { label: 'RSS (resident memory)', color: RSS_COLOR, points: points, key: 'rss', dashed: true },
      ],
      peaks: [{ label: 'peak', color: HEAP_COLOR, t: run.peak_time_ms, bytes: run.peak_bytes }],
    };
  }

  /* The largest IEC unit in which `bytes` is at least 1, for an axis. */
  function axisUnit(bytes) {
    const units = [['B', 1]].concat(IEC_UNITS.map((name, i) => [name, Math.pow(1024, i + 1)]));
    let chosen = units[0];
    units.forEach((unit) => { if (bytes >= unit[1]) chosen = unit; });
    return { name: chosen[0], bytes: chosen[1] };
  }

  /* The moment shown in the flame graph: null for the peak (or the
   * leaks), else the page time (ms) clicked on the plot. */
  let moment = null;
  const canChooseMoment = mode !== 'diff' && runs.some((run) => (run.moments || []).length > 0);

  function drawTimeline() {
    const container = d3.select('#timeline');
    container.selectAll('*').remove();
    const legend = d3.select('#timeline-legend');
    legend.selectAll('*').remove();

    const series = timelineSeries();
    const lines = series.lines.filter((line) => line.points.some((p) => typeof p[line.key] === 'number' && p.t > 0));
    if (lines.length === 0) {
      container.append('div').attr('class', 'hb-empty')
        .text('No memory samples in this capture.');
      return;
    }
    lines.forEach((line) => {
      const key = legend.append('span').attr('class', 'hb-key');
      key.append('span').attr('class', 'hb-swatch')
        .style('background', line.dashed
          ? 'repeating-linear-gradient(90deg, ' + line.color + ' 0 5px, transparent 5px 8px)'
          : line.color);
      key.append('span').text(line.label);
    });
    const peaks = series.peaks.filter((p) => typeof p.t === 'number' && typeof p.bytes === 'number');
    peaks.forEach((peak) => {
      const key = legend.append('span').attr('class', 'hb-key');
      key.append('span').attr('class', 'hb-swatch hb-dot').style('background', peak.color);
      key.append('span').text(peaks.length > 1 ? 'peak ' + peak.label : 'peak heap');
    });
    if (canChooseMoment) legend.append('span').attr('class', 'hb-key hb-hint-key').text('click the plot: the flame graph of that moment');

    const width = Math.max(320, container.node().clientWidth);
    const height = Math.max(TIMELINE_HEIGHT, container.node().clientHeight);
    let maxT = 0;
    let maxHeap = 0;
    let maxRss = 0;
    lines.forEach((line) => line.points.forEach((p) => {
      maxT = Math.max(maxT, p.t);
      if (typeof p[line.key] !== 'number') return;
      if (line.key === 'rss') maxRss = Math.max(maxRss, p.rss);
      else maxHeap = Math.max(maxHeap, p[line.key]);
    }));
    peaks.forEach((peak) => { maxT = Math.max(maxT, peak.t); maxHeap = Math.max(maxHeap, peak.bytes); });
    const ownAxes = maxHeap > 0 && maxRss > OWN_AXIS_RATIO * maxHeap;
    const maxBytes = ownAxes ? maxHeap : Math.max(maxHeap, maxRss);
    const margin = { top: 26, right: ownAxes ? 64 : 22, bottom: 44, left: 64 };
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const unit = axisUnit(maxBytes);
    const x = d3.scaleLinear().domain([0, maxT > 0 ? maxT : 1]).range([0, plotWidth]);
    const yUnits = d3.scaleLinear().domain([0, maxBytes > 0 ? maxBytes / unit.bytes : 1]).nice().range([plotHeight, 0]);
    const y = (bytes) => yUnits(bytes / unit.bytes);
    const rssUnit = axisUnit(maxRss);
    const rssUnits = d3.scaleLinear().domain([0, maxRss > 0 ? maxRss / rssUnit.bytes : 1]).nice().range([plotHeight, 0]);
    const scaleOf = (line) => (ownAxes && line.key === 'rss' ? (bytes) => rssUnits(bytes / rssUnit.bytes) : y);

    const svg = container.append('svg')
      .attr('viewBox', '0 0 ' + width + ' ' + height)
      .attr('width', width).attr('height', height)
      .attr('role', 'img').attr('aria-label', 'Heap and resident memory over time');
    const plot = svg.append('g').attr('transform', 'translate(' + margin.left + ',' + margin.top + ')');

    plot.append('g').attr('class', 'hb-grid')
      .call(d3.axisLeft(yUnits).ticks(5).tickSize(-plotWidth).tickFormat(''));
    plot.append('g').attr('class', 'hb-axis hb-axis-x').attr('transform', 'translate(0,' + plotHeight + ')')
      .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(plotWidth / 90))));
    plot.append('g').attr('class', 'hb-axis hb-axis-y').call(d3.axisLeft(yUnits).ticks(5));
    svg.append('text').attr('class', 'hb-axis-title')
      .attr('x', margin.left + plotWidth / 2).attr('y', height - 8).attr('text-anchor', 'middle')
      .text('time since start (ms)');
    svg.append('text').attr('class', 'hb-axis-title')
      .attr('transform', 'translate(14,' + (margin.top + plotHeight / 2) + ') rotate(-90)')
      .attr('text-anchor', 'middle')
      .text((ownAxes ? 'heap (' : 'memory (') + unit.name + ')');
    if (ownAxes) {
      plot.append('g').attr('class', 'hb-axis hb-axis-rss').attr('transform', 'translate(' + plotWidth + ',0)')
        .call(d3.axisRight(rssUnits).ticks(5));
      svg.append('text').attr('class', 'hb-axis-title').attr('id', 'rss-axis-title')
        .attr('transform', 'translate(' + (width - 8) + ',' + (margin.top + plotHeight / 2) + ') rotate(90)')
        .attr('text-anchor', 'middle').attr('fill', RSS_COLOR)
        .text('RSS (' + rssUnit.name + ')');
    }

    lines.forEach((line) => {
      const points = line.points.filter((p) => typeof p[line.key] === 'number');
      const ly = scaleOf(line);
      if (line.area) {
        plot.append('path').datum(points)
          .attr('fill', line.color).attr('fill-opacity', 0.12)
          .attr('d', d3.area().x((p) => x(p.t)).y0(plotHeight).y1((p) => ly(p[line.key])));
      }
      /* RSS only where it was sampled: a gap between samples is a gap. */
      const segments = [[]];
      points.forEach((p, i) => {
        if (line.key === 'rss' && i > 0 && p.t - points[i - 1].t > RSS_GAP_MS) segments.push([]);
        segments[segments.length - 1].push(p);
      });
      segments.forEach((segment) => {
        plot.append('path').datum(segment)
          .attr('class', 'hb-line' + (line.key === 'rss' ? ' hb-rss-line' : ''))
          .attr('fill', 'none').attr('stroke', line.color).attr('stroke-width', line.dashed ? 1.5 : 2)
          .attr('stroke-dasharray', line.dashed ? '5 3' : null)
          .attr('d', d3.line().x((p) => x(p.t)).y((p) => ly(p[line.key])));
      });
      /* A line of a few samples hardly shows, nor a sample alone: mark them. */
      const marked = points.length <= SPARSE_SAMPLES ? points
        : segments.filter((segment) => segment.length === 1).map((segment) => segment[0]);
      plot.append('g').selectAll('circle').data(marked).join('circle')
        .attr('cx', (p) => x(p.t)).attr('cy', (p) => ly(p[line.key])).attr('r', 2.5)
        .attr('fill', line.color);
    });

    /* Labels go above their dot; one that would overlap a label already
     * placed moves a line up or down, whichever is free first. */
    const placed = [];
    peaks.forEach((peak) => {
      const px = x(peak.t);
      const py = y(peak.bytes);
      const marker = plot.append('g').attr('class', 'hb-peak-marker');
      marker.append('line')
        .attr('x1', px).attr('x2', px).attr('y1', py).attr('y2', plotHeight)
        .attr('stroke', peak.color).attr('stroke-dasharray', '3 3').attr('stroke-width', 1.2);
      marker.append('circle').attr('cx', px).attr('cy', py).attr('r', 5)
        .attr('fill', peak.color).attr('stroke', '#fff').attr('stroke-width', 2);
      const text = (peaks.length > 1 ? 'peak ' + peak.label + ' ' : 'peak ') +
        formatBytes(peak.bytes) + ' at ' + formatMs(peak.t);
      const rightSide = px < plotWidth * 0.6;
      const label = marker.append('text').attr('class', 'hb-peak-label')
        .attr('x', px + (rightSide ? 9 : -9))
        .attr('text-anchor', rightSide ? 'start' : 'end')
        .style('fill', peak.color)
        .text(text);
      const textWidth = label.node().getComputedTextLength();
      const left = rightSide ? px + 9 : px - 9 - textWidth;
      const LINE = 16;
      const wanted = Math.max(-10, py - 9);
      const free = (y) => y >= -10 && y <= plotHeight - 4 && !placed.some((box) =>
        box.left < left + textWidth && left < box.right && Math.abs(box.y - y) < LINE);
      let labelY = wanted;
      for (let step = 1; !free(labelY) && step <= 2 * peaks.length; step++) {
        labelY = wanted + (step % 2 ? -1 : 1) * Math.ceil(step / 2) * LINE;
      }
      label.attr('y', labelY);
      placed.push({ left: left, right: left + textWidth, y: labelY });
    });

    /* The moment chosen, as a solid line. */
    if (moment !== null) {
      plot.append('line').attr('id', 'moment-marker')
        .attr('x1', x(moment)).attr('x2', x(moment)).attr('y1', 0).attr('y2', plotHeight)
        .attr('stroke', MOMENT_COLOR).attr('stroke-width', 1.5);
    }

    // Hover: the nearest sample of each line, in a tooltip; click: that moment.
    const focus = plot.append('line').attr('y1', 0).attr('y2', plotHeight)
      .attr('stroke', '#adb5bd').attr('stroke-width', 1).style('display', 'none');
    const bisect = d3.bisector((p) => p.t).center;
    plot.append('rect').attr('id', 'timeline-hit').attr('width', plotWidth).attr('height', plotHeight)
      .attr('fill', 'transparent').style('cursor', canChooseMoment ? 'crosshair' : null)
      .on('mousemove', (event) => {
        const t = x.invert(d3.pointer(event)[0]);
        const rows = [];
        let shownT = null;
        lines.forEach((line) => {
          const points = line.points.filter((p) => typeof p[line.key] === 'number');
          if (points.length === 0) return;
          if (line.key === 'rss' && shownT !== null) { /* the sample at the heap's moment, if one is near */
            const near = points[bisect(points, shownT)];
            rows.push([line.label, Math.abs(near.t - shownT) <= RSS_GAP_MS / 2 ? formatBytes(near.rss) : 'not sampled here']);
            return;
          }
          const p = points[bisect(points, t)];
          if (shownT === null) shownT = p.t;
          rows.push([line.label, formatBytes(p[line.key])]);
        });
        focus.style('display', null).attr('x1', x(shownT)).attr('x2', x(shownT));
        showTooltip(formatMs(shownT) + ' after start', canChooseMoment ? 'click for the flame graph of this moment' : null, rows);
      })
      .on('mouseleave', () => { focus.style('display', 'none'); hideTooltip(); })
      .on('click', (event) => {
        if (canChooseMoment) chooseMoment(x.invert(d3.pointer(event)[0]));
      });
  }

  // ---------------------------------------------------------------- flame graph

  let flameRoot = null;
  let rootBytes = 0;
  let chart = null;
  let maxAbsDelta = 0;

  /* A frame's drawn width.  The capture's value is inclusive (the frame and
   * all it called), and in a diff it is max(before, after) per frame, so a
   * parent can be a little narrower than its children added up: widen it to
   * fit them, or d3's partition would draw children past their parent. */
  function prepareLayout(node) {
    let children = 0;
    (node.children || []).forEach((child) => { children += prepareLayout(child); });
    const own = typeof node.value === 'number' && node.value > 0 ? node.value : 0;
    node.layoutValue = Math.max(own, children);
    if (typeof node.delta === 'number') maxAbsDelta = Math.max(maxAbsDelta, Math.abs(node.delta));
    return node.layoutValue;
  }

  /* Bytes a frame allocated itself, not through the functions it called. */
  function selfBytes(frame) {
    let children = 0;
    (frame.children || []).forEach((child) => { children += child.value || 0; });
    return Math.max(0, (frame.value || 0) - children);
  }

  function where(frame) {
    if (frame.file) return frame.line ? frame.file + ':' + frame.line : frame.file;
    if (frame.module && /^0x[0-9a-f]+ in /.test(frame.name)) return 'in ' + frame.module + ' (no symbol, no debug information)';
    if (frame.module) return '+0x' + Number(frame.offset || 0).toString(16) + ' in ' + frame.module + ' (no debug information)';
    return frame.name === 'all' && frame === flameRoot ? 'the whole program' : 'no source information';
  }

  /* Diff colours: red where the after run uses more, blue where it uses
   * less, grey where nothing changed; the deeper, the bigger |delta| against
   * the largest change in the graph.  A floor keeps small changes visible and
   * a ceiling keeps the black labels readable. */
  const GROWTH = d3.interpolateRgb('#fde0dc', '#e4534b');
  const SHRINK = d3.interpolateRgb('#dde8fb', '#4d86d9');
  const UNCHANGED = '#e3e6ea';

  function diffColor(delta) {
    if (!delta || !maxAbsDelta) return UNCHANGED;
    const depth = 0.15 + 0.85 * Math.sqrt(Math.abs(delta) / maxAbsDelta);
    return delta > 0 ? GROWTH(depth) : SHRINK(depth);
  }

  function frameColor(node, original) {
    if (node.highlight) return HIGHLIGHT;
    if (mode === 'diff') return diffColor(node.data.delta);
    return original;
  }

  function frameTooltip(node) {
    const frame = node.data;
    const bytes = frame.value || 0;
    const rows = [];
    if (mode === 'diff') {
      const delta = frame.delta || 0;
      const before = delta >= 0 ? bytes - delta : bytes;
      const after = delta >= 0 ? bytes : bytes + delta;
      rows.push(['change', formatDelta(delta) + (before > 0 ? ' (' + (delta >= 0 ? '+' : '') + percent(delta, before) + ')' : '')]);
      rows.push(['before \u2192 after', formatBytes(before) + ' \u2192 ' + formatBytes(after)]);
    } else {
      rows.push([moment !== null ? 'live at ' + formatMs(moment) : mode === 'leaks' ? 'never freed' : 'live at the peak', formatBytes(bytes)]);
    }
    rows.push(['share of total', percent(bytes, rootBytes)]);
    const own = selfBytes(frame);
    if (frame.children && frame.children.length && own > 0) rows.push(['allocated here', formatBytes(own)]);
    if (typeof frame.allocations === 'number') {
      rows.push([mode === 'leaks' && moment === null ? 'blocks leaked' : mode === 'diff' ? 'blocks' : 'blocks live', formatCount(frame.allocations)]);
    }
    showTooltip(frame.name, where(frame), rows);
  }

  /* d3-flame-graph calls svg.call(tip) once, then tip.show(d, element) and
   * tip.hide(); it draws no <title> when a tooltip is given. */
  const frameTip = function () {};
  frameTip.show = (node) => frameTooltip(node);
  frameTip.hide = hideTooltip;

  function setCrumbs(node) {
    const crumbs = d3.select('#crumbs');
    crumbs.selectAll('*').remove();
    const zoomed = node && node.parent;
    d3.select('#reset-zoom').property('disabled', !zoomed);
    if (!zoomed) {
      crumbs.text('Click a frame to zoom into it; hover for its details.');
      return;
    }
    crumbs.text('Zoomed into ');
    const path = node.ancestors().reverse();
    path.forEach((n, i) => {
      if (i > 0) crumbs.append('span').text(' \u203a ');
      crumbs.append('code').text(n.data.name);
    });
    crumbs.append('span').text(' \u2014 ' + formatBytes(node.data.value) + ', ' + percent(node.data.value, rootBytes) + ' of the total');
  }

  function searchMatches(node, term) {
    if (!term) return false;
    const needle = term.toLowerCase();
    const frame = node.data;
    return String(frame.name || '').toLowerCase().includes(needle) ||
      String(frame.file || '').toLowerCase().includes(needle) ||
      String(frame.module || '').toLowerCase().includes(needle);
  }

  /* Matched bytes count each matched subtree once: a match inside a match
   * is already in its ancestor's bytes. */
  function showSearchResult(results) {
    const found = d3.select('#search-result');
    if (results.length === 0) {
      found.classed('hb-found', false).text('no frame matches');
      return;
    }
    const top = results.filter((n) => !n.ancestors().slice(1).some((a) => a.highlight));
    const bytes = d3.sum(top, (n) => n.data.value || 0);
    let text = plural(results.length, 'frame matches', 'frames match') + ': ' + formatBytes(bytes) +
      ', ' + percent(bytes, rootBytes) + ' of the total';
    if (mode === 'diff') text += ', change ' + formatDelta(d3.sum(top, (n) => n.data.delta || 0));
    found.classed('hb-found', true).text(text);
  }

  function flameWidth() {
    return Math.max(320, document.getElementById('flamegraph').clientWidth);
  }

  function setOrientation(icicle) {
    d3.select('#orient-icicle').attr('aria-pressed', String(icicle));
    d3.select('#orient-flame').attr('aria-pressed', String(!icicle));
    if (chart && chart.inverted() !== icicle) chart.inverted(icicle).update();
    describeFlame(icicle);
  }

  function describeFlame(icicle) {
    const callees = icicle ? 'the frames below it' : 'the frames above it';
    const ofProcesses = combined ? ' Each process is a top frame of its own.' : '';
    let title;
    let hint;
    if (moment !== null) {
      title = 'Live at ' + formatMs(moment) + ': ' + formatBytes(rootBytes);
      hint = 'Each frame is a function; its width is the bytes it had allocated, itself or through the functions it called (' + callees + '), at the moment chosen on the plot.' + ofProcesses;
    } else {
      title = {
        peak: (combined ? 'Live at each process\u2019s peak: ' : 'Live at the peak: ') + formatBytes(rootBytes),
        leaks: 'Never freed: ' + formatBytes(rootBytes),
        diff: 'Change ' + (data.view === 'leaks' ? 'in what was never freed' : 'at the peak') + ', after against before',
      }[mode];
      hint = {
        peak: 'Each frame is a function; its width is the bytes it had allocated, itself or through the functions it called (' + callees + '), at the moment the heap peaked.',
        leaks: 'Each frame is a function; its width is the bytes it allocated, itself or through the functions it called (' + callees + '), that were still not freed when the program ended.',
        diff: 'Each frame is a function; its width is the larger of its bytes before and after, and its colour the change.',
      }[mode] + ofProcesses;
    }
    d3.select('#flame-title').text(title);
    d3.select('#flame-hint').text(hint);
    d3.select('#mode').text(moment !== null ? 'at ' + formatMs(moment) : MODE_BADGE[mode]);
    d3.select('#back-to-peak').property('hidden', moment === null)
      .text(mode === 'leaks' ? 'Back to the leaks' : 'Back to the peak');
  }

  function drawDiffLegend() {
    const legend = d3.select('#diff-legend').property('hidden', false);
    legend.selectAll('*').remove();
    legend.append('span').text('shrank');
    const ramp = legend.append('span').attr('class', 'hb-ramp');
    const stops = [];
    for (let i = 10; i >= 1; i--) stops.push(diffColor(-maxAbsDelta * i * i / 100));
    stops.push(UNCHANGED);
    for (let i = 1; i <= 10; i++) stops.push(diffColor(maxAbsDelta * i * i / 100));
    ramp.style('background', 'linear-gradient(90deg, ' + stops.join(', ') + ')');
    legend.append('span').text('grew');
    legend.append('span').text('\u00b7 blue: after uses less, red: after uses more, grey: unchanged; the deeper the colour, the bigger the change (largest here: ' +
      formatBytes(maxAbsDelta) + ')');
  }

  /* The tree of the moment chosen, or of the page's view. */
  function currentFlame() {
    const view = moment !== null ? { view: 'moment', t: moment } : { view: mode === 'diff' ? data.view || 'peak' : mode };
    const root = model.flame(data, view);
    maxAbsDelta = 0;
    prepareLayout(root);
    return root;
  }

  function showEmpty(show) {
    d3.select('#flame-empty').property('hidden', !show).text(
      moment !== null ? 'Nothing was live at ' + formatMs(moment) + '.'
        : mode === 'leaks' ? 'Nothing leaked: the program freed every block before it ended.'
          : 'No allocation was live at the peak: there is nothing to draw.');
    d3.select('#flamegraph').style('display', show ? 'none' : null);
    d3.select('.hb-toolbar').style('visibility', show ? 'hidden' : null);
  }

  /* The table of functions, sorted by the heading last clicked (total
   * first; a second click turns the order round). */
  const FUNCTION_ROWS = 200;
  let functionSort = { key: 'total', descending: true };

  function drawFunctions(tree) {
    const card = d3.select('#functions-card');
    card.property('hidden', mode === 'diff'); /* a diff's values are max(before, after) */
    if (mode === 'diff') return;
    const { key, descending } = functionSort;
    const rows = HeapbookModel.functions(tree).sort((a, b) => {
      const order = typeof a[key] === 'number' ? a[key] - b[key] : d3.ascending(a[key], b[key]);
      return (descending ? -order : order) || d3.descending(a.total, b.total) || d3.ascending(a.name, b.name);
    });
    card.selectAll('th').attr('aria-sort', function () {
      const button = this.querySelector('button');
      return button && button.dataset.key === key ? (descending ? 'descending' : 'ascending') : null;
    });
    d3.select('#functions tbody').selectAll('tr').data(rows.slice(0, FUNCTION_ROWS)).join('tr')
      .html('')
      .each(function (row) {
        const tr = d3.select(this);
        tr.append('td').text(row.name);
        tr.append('td').text(row.file || row.module);
        tr.append('td').attr('class', 'hb-number').text(formatBytes(row.own));
        tr.append('td').attr('class', 'hb-number').text(formatBytes(row.total));
        tr.append('td').attr('class', 'hb-number').text(formatCount(row.blocks));
      });
  }

  d3.selectAll('#functions th button').on('click', function () {
    const key = this.dataset.key;
    functionSort = { key: key, descending: functionSort.key === key ? !functionSort.descending : key !== 'name' && key !== 'file' };
    drawFunctions(flameRoot);
  });

  function drawFlame() {
    flameRoot = currentFlame();
    rootBytes = flameRoot.value || 0;
    drawFunctions(flameRoot);
    describeFlame(chart ? chart.inverted() : startIcicle);
    if (mode === 'diff') drawDiffLegend();
    showEmpty(!(rootBytes > 0));
    if (!(rootBytes > 0)) return;
    if (chart === null) {
      chart = flamegraph()
        .width(flameWidth())
        .cellHeight(CELL_HEIGHT)
        .transitionDuration(0)
        .minFrameSize(0)
        .inverted(startIcicle)
        .sort((a, b) => (b.data.layoutValue - a.data.layoutValue) || d3.ascending(a.data.name, b.data.name))
        .getName((node) => node.data.name)
        .getChildren((frame) => frame.children)
        .getValue((d) => ('layoutValue' in d ? d.layoutValue : d.value))
        .setColorMapper(frameColor)
        .setSearchMatch(searchMatches)
        .setSearchHandler(showSearchResult)
        .tooltip(frameTip)
        .onClick(setCrumbs);
      d3.select('#flamegraph').datum(flameRoot).call(chart);
      setOrientation(startIcicle);
    } else {
      chart.transitionDuration(0);
      chart.update(flameRoot);
    }
    finishDrawing();
    chart.transitionDuration(TRANSITION_MS);
    setCrumbs(null);
    const term = d3.select('#search').property('value').trim();
    if (term) chart.search(term);
  }

  /* d3-flame-graph grows new frames to their width, and writes their
   * labels, in transitions of its own (250 ms), and d3 runs even a
   * transition of no duration on its next tick: end them all now, so the
   * graph is whole the moment the page shows (or a moment is chosen).  Each
   * frame's <g> already holds its final width. */
  function finishDrawing() {
    d3.timerFlush();
    d3.selectAll('#flamegraph g.frame').each(function (node) {
      const frame = d3.select(this);
      frame.select('rect').interrupt().attr('width', frame.attr('width'));
      frame.select('.d3-flame-graph-label').interrupt().text(node.data.name);
    });
  }

  function chooseMoment(t) {
    moment = t;
    drawTimeline();
    drawFlame();
  }

  d3.select('#back-to-peak').on('click', () => {
    moment = null;
    drawTimeline();
    drawFlame();
  });
  d3.select('#reset-zoom').on('click', () => chart && chart.resetZoom());
  d3.select('#orient-icicle').on('click', () => setOrientation(true));
  d3.select('#orient-flame').on('click', () => setOrientation(false));
  const search = d3.select('#search');
  search.on('input', () => {
    if (!chart) return;
    const term = search.property('value').trim();
    if (term) {
      chart.search(term);
    } else {
      chart.clear();
      d3.select('#search-result').classed('hb-found', false).text('');
    }
  });
  search.on('keydown', (event) => {
    if (event.key === 'Escape') {
      search.property('value', '');
      search.dispatch('input');
    }
  });

  // ---------------------------------------------------------------- layout

  drawTimeline();
  drawFlame();

  /* Width follows the window: redraw the plot, resize the flame graph. */
  let resizeTimer = null;
  let lastWidth = window.innerWidth;
  window.addEventListener('resize', () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      drawTimeline();
      if (chart) chart.width(flameWidth()).update();
    }, 100);
  });
})();
