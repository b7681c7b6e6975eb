/**
 * The web console's dashboard, drawn from DashboardData (src/services/dashboard-figures.ts): open
 * counts as tiles, the SLA clocks due soonest, what waits on approvers, who is on call, and four
 * Vega-Lite charts of the last 30 days. Vega and Vega-Lite are the page's globals (their UMD builds).
 */

const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
const COLORS = { opened: '#2f5bea', resolved: '#12b76a', mtta: '#7a5af8', mttr: '#f79009' };
/** Compliance under 80 % is red, under 95 % amber, else green. */
const COMPLIANCE = { domain: [80, 95], range: ['#d92d20', '#f79009', '#12b76a'] };
/** The Vega views drawn into each root, finalized when it is drawn again (they hold listeners). */
const drawn = new WeakMap();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  node.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return node;
}

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? `{${name}}`);

/** "2d 3h", "1h 5m", "15m" (the unit words are the reader's). */
function duration(minutes, text) {
  const m = Math.abs(minutes);
  const [days, hours, mins] = [Math.floor(m / 1440), Math.floor((m % 1440) / 60), m % 60];
  const parts = days ? [[days, 'unit.day'], [hours, 'unit.hour']] : hours ? [[hours, 'unit.hour'], [mins, 'unit.minute']] : [[mins, 'unit.minute']];
  return parts.filter(([n], i) => i === 0 || n > 0).map(([n, unit]) => `${n}${text(unit)}`).join(' ');
}

function instantFormat(data) {
  const format = new Intl.DateTimeFormat(data.locale === 'ko' ? 'ko-KR' : 'en-GB', {
    timeZone: data.timeZone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (iso) => format.format(new Date(iso));
}

function tile(key, count, label, extraClass = '') {
  return el('div', { class: `dash-tile ${extraClass}`.trim(), 'data-tile': key }, el('span', { class: 'dash-tile-count' }, String(count)), el('span', { class: 'dash-tile-label' }, label));
}

function openBlock(kind, counts, text, byPriority) {
  return el(
    'section',
    { class: 'dash-block dash-open', 'data-open': kind },
    el('h3', {}, text(`open.${kind}s`), ' ', el('span', { class: 'dash-total' }, String(counts.total))),
    byPriority && el('div', { class: 'dash-tiles' }, PRIORITIES.map((p) => tile(`${kind}.${p}`, byPriority[p] ?? 0, text(`priority.${p}`), `dash-priority-${p}`))),
    el('div', { class: 'dash-tiles dash-tiles-states' }, Object.entries(counts.byState).map(([state, n]) => tile(`${kind}.${state}`, n, text(`${kind}.${state}`), 'dash-state'))),
  );
}

function table(section, columns, rows, empty, text) {
  const body = rows.length
    ? el('table', { class: 'dash-table' }, el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, text(`column.${c}`))))), el('tbody', {}, rows))
    : el('p', { class: 'dash-empty' }, text(empty));
  return el('section', { class: 'dash-block', 'data-section': section }, el('h3', {}, text(`section.${section}`)), body);
}

function atRiskTable(data, text, when) {
  const rows = data.atRisk.map((t) => {
    const clock = t.kind === 'request' && t.clock === 'resolve' ? 'clock.fulfil' : `clock.${t.clock}`;
    const left = fill(text(t.minutesLeft < 0 ? 'time.overdue' : 'time.left'), { time: duration(t.minutesLeft, text) });
    return el(
      'tr',
      { 'data-number': t.number, class: t.minutesLeft < 0 ? 'dash-breached' : undefined },
      el('td', { class: 'dash-number' }, t.number),
      el('td', {}, t.title),
      el('td', {}, text(`kind.${t.kind}`)),
      el('td', {}, el('span', { class: `dash-priority dash-priority-${t.priority}` }, t.priority)),
      el('td', {}, text(clock)),
      el('td', {}, el('time', { datetime: t.dueAt }, when(t.dueAt))),
      el('td', { class: 'dash-left' }, left),
    );
  });
  return table('atRisk', ['number', 'title', 'kind', 'priority', 'clock', 'due', 'left'], rows, 'none.atRisk', text);
}

function approvalTable(data, text, when) {
  const rows = data.awaitingApproval.map((w) =>
    el(
      'tr',
      { 'data-number': w.number },
      el('td', { class: 'dash-number' }, w.number),
      el('td', {}, w.title),
      el('td', {}, text(`kind.${w.kind}`)),
      el('td', {}, w.waitingOn.join(', ')),
      el('td', {}, el('time', { datetime: w.since }, when(w.since))),
    ),
  );
  return table('awaitingApproval', ['number', 'title', 'kind', 'waitingOn', 'since'], rows, 'none.awaitingApproval', text);
}

function onCallBlock(data, text) {
  const body = data.onCallNow.length
    ? el('ul', { class: 'dash-oncall' }, data.onCallNow.map((g) => el('li', { 'data-group': g.group }, el('span', { class: 'dash-oncall-group' }, g.groupName), el('span', { class: 'dash-oncall-people' }, g.people.join(', ')))))
    : el('p', { class: 'dash-empty' }, text('none.onCall'));
  return el('section', { class: 'dash-block', 'data-section': 'onCall' }, el('h3', {}, text('section.onCall')), body);
}

// ---- charts -------------------------------------------------------------------------------------

/** Days are calendar dates of the viewer's zone: read and shown as UTC so the browser's own zone moves none. */
const DAY_FORMAT = { parse: { day: "utc:'%Y-%m-%d'" } };
const DAY_X = { field: 'day', type: 'temporal', timeUnit: 'utcyearmonthdate', title: null, axis: { format: '%m/%d', labelOverlap: true, grid: false } };
const DAY_TOOLTIP = { field: 'day', type: 'temporal', timeUnit: 'utcyearmonthdate', format: '%Y-%m-%d' };

/** Every chart spans the 30 days: a day without a value leaves a gap rather than shortening the axis. */
const WHOLE_WINDOW = { invalid: 'break-paths-show-domains' };

function chartSpec(title, values, mark, encoding) {
  return {
    description: title,
    width: 'container',
    height: 180,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values, format: DAY_FORMAT },
    mark: { ...WHOLE_WINDOW, ...mark },
    encoding: { x: DAY_X, ...encoding },
    config: { view: { stroke: null }, legend: { orient: 'top', title: null }, axis: { labelColor: '#667085', titleColor: '#667085', gridColor: '#eef0f3', domainColor: '#e3e6ea' } },
  };
}

const round1 = (n) => Math.round(n * 10) / 10;
/** Whole ticks; `~r` also keeps an all-zero axis at "0" (a default format prints "0.000000"). */
const VALUE_AXIS = { tickMinStep: 1, format: '~r' };

function chartSpecs(daily, text) {
  const opened = text('series.opened');
  const resolved = text('series.resolved');
  const line = (color) => ({ type: 'line', point: { filled: true, size: 36, color }, color, strokeWidth: 2 });
  const meanEncoding = (title) => ({ y: { field: 'value', type: 'quantitative', title, axis: VALUE_AXIS }, tooltip: [DAY_TOOLTIP, { field: 'value', type: 'quantitative', title }] });
  return {
    'opened-resolved': chartSpec(
      text('chart.openedResolved'),
      daily.flatMap((d) => [{ day: d.day, series: opened, count: d.opened }, { day: d.day, series: resolved, count: d.resolved }]),
      { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 2 },
      {
        y: { field: 'count', type: 'quantitative', title: text('axis.incidents'), axis: VALUE_AXIS },
        color: { field: 'series', type: 'nominal', scale: { domain: [opened, resolved], range: [COLORS.opened, COLORS.resolved] } },
        tooltip: [DAY_TOOLTIP, { field: 'series', type: 'nominal', title: ' ' }, { field: 'count', type: 'quantitative', title: text('axis.incidents') }],
      },
    ),
    'sla-compliance': chartSpec(
      text('chart.slaCompliance'),
      // A day with nothing resolved has no bar (its percentage is null).
      daily.map((d) => ({ day: d.day, met: d.slaMet, breached: d.slaBreached, percent: d.resolved ? round1((d.slaMet / d.resolved) * 100) : null })),
      // Bars drop invalid values from the x domain whatever `invalid` says but `show` (a zero-height bar).
      { type: 'bar', invalid: 'show', cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
      {
        y: { field: 'percent', type: 'quantitative', title: text('axis.percentMet'), scale: { domain: [0, 100] } },
        color: { field: 'percent', type: 'quantitative', scale: { type: 'threshold', ...COMPLIANCE }, legend: null },
        tooltip: [
          DAY_TOOLTIP,
          { field: 'percent', type: 'quantitative', title: text('axis.percentMet') },
          { field: 'met', type: 'quantitative', title: text('tooltip.met') },
          { field: 'breached', type: 'quantitative', title: text('tooltip.breached') },
        ],
      },
    ),
    mtta: chartSpec(text('chart.mtta'), daily.map((d) => ({ day: d.day, value: d.mttaMinutes })), line(COLORS.mtta), meanEncoding(text('axis.minutes'))),
    mttr: chartSpec(
      text('chart.mttr'),
      daily.map((d) => ({ day: d.day, value: d.mttrMinutes === null ? null : round1(d.mttrMinutes / 60) })),
      line(COLORS.mttr),
      meanEncoding(text('axis.hours')),
    ),
  };
}

function chartFigure(name, title) {
  const container = el('div', { class: 'dash-chart-canvas', 'data-chart': name, role: 'img', 'aria-label': title });
  return { container, figure: el('figure', { class: 'dash-chart' }, el('figcaption', {}, title), container) };
}

async function drawChart(container, spec, text) {
  const { vega, vegaLite } = window;
  try {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container, hover: true });
    await view.runAsync();
    return view;
  } catch (error) {
    console.error('dashboard chart', container.dataset.chart, error);
    container.replaceChildren(el('p', { class: 'dash-empty' }, text('chart.failed')));
    return undefined;
  }
}

// ---- the page -----------------------------------------------------------------------------------

/** Draws the dashboard into `root` (replacing what it held); resolves once the charts are drawn. */
export async function renderDashboard(root, data, text) {
  for (const view of drawn.get(root) ?? []) view.finalize();
  const when = instantFormat(data);
  const specs = chartSpecs(data.daily, text);
  const titles = { 'opened-resolved': 'chart.openedResolved', 'sla-compliance': 'chart.slaCompliance', mtta: 'chart.mtta', mttr: 'chart.mttr' };
  const charts = Object.entries(titles).map(([name, key]) => ({ name, ...chartFigure(name, text(key)) }));
  root.replaceChildren(
    el(
      'div',
      { class: 'dash' },
      el('p', { class: 'dash-as-of' }, fill(text('asOf'), { time: when(data.generatedAt) })),
      el(
        'div',
        { class: 'dash-open-row' },
        openBlock('incident', data.open.incidents, text, data.open.incidents.byPriority),
        openBlock('request', data.open.requests, text),
        openBlock('change', data.open.changes, text),
      ),
      el('div', { class: 'dash-row' }, atRiskTable(data, text, when), onCallBlock(data, text)),
      approvalTable(data, text, when),
      el('section', { class: 'dash-block dash-trends' }, el('h3', {}, fill(text('section.trends'), { zone: data.timeZone })), el('div', { class: 'dash-charts' }, charts.map((c) => c.figure))),
    ),
  );
  const views = await Promise.all(charts.map((c) => drawChart(c.container, specs[c.name], text)));
  drawn.set(root, views.filter(Boolean));
}
