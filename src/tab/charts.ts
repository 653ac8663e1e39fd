// The page's pictures as inline SVG, built in code. Each is an image with a text alternative; the
// numbers they draw are also written out beside them.
import type { MonthPoints } from '../api/me-summary.js';
import { number, svg } from './dom.js';

export interface Tick {
  at: number;
  label: string;
}

const BAR_WIDTH = 600;

/** A bar from 0 to `max`, filled to `value`, with marks at `ticks` (level thresholds). */
export function progressBar(options: { value: number; max: number; ticks: Tick[]; label: string; id: string }): SVGElement {
  const { value, max, ticks } = options;
  const scale = (v: number) => (max <= 0 ? 0 : (Math.min(Math.max(v, 0), max) / max) * BAR_WIDTH);
  const filled = scale(value);
  const marks = ticks.map((tick) => {
    const x = scale(tick.at);
    // Labels stay inside the picture: anchored at their start near the left edge, at their end near the right.
    const anchor = x < 90 ? 'start' : x > BAR_WIDTH - 90 ? 'end' : 'middle';
    return svg(
      'g',
      { class: 'tick' },
      svg('line', { x1: x, x2: x, y1: 2, y2: 34 }),
      svg('text', { x: anchor === 'start' ? Math.max(x, 1) : anchor === 'end' ? Math.min(x, BAR_WIDTH - 1) : x, y: 54, 'text-anchor': anchor }, tick.label),
    );
  });
  return svg(
    'svg',
    { id: options.id, class: 'progress', viewBox: `0 0 ${BAR_WIDTH} 62`, role: 'img', 'aria-label': options.label, focusable: 'false' },
    svg('rect', { class: 'track', x: 0, y: 8, width: BAR_WIDTH, height: 20, rx: 4 }),
    filled > 0 && svg('rect', { class: 'fill', x: 0, y: 8, width: filled, height: 20, rx: 4 }),
    ...marks,
  );
}

const monthName = (month: string, style: 'short' | 'long') =>
  new Date(`${month}-01T00:00:00Z`).toLocaleString('en-US', { month: style, year: style === 'long' ? 'numeric' : undefined, timeZone: 'UTC' });

const SLOT = 48;
const TOP = 22;
const BASE = 168;

/** Points per calendar month (of the membership year unless `subject` says otherwise), as bars; months still to come are outlined. */
export function monthChart(months: readonly MonthPoints[], id: string, subject = 'Points per month of this membership year'): SVGElement {
  const max = Math.max(1, ...months.map((m) => m.points));
  const width = months.length * SLOT;
  const described = months.filter((m) => !m.future).map((m) => `${monthName(m.month, 'long')}: ${number(m.points)}`);
  const bars = months.map((m, i) => {
    const x = i * SLOT + 9;
    const height = m.points > 0 ? Math.max(2, (m.points / max) * (BASE - TOP)) : 0;
    const label = monthName(m.month, 'short');
    // The year under the first month and under each January, so the bars read as dates.
    const year = i === 0 || m.month.endsWith('-01') ? m.month.slice(0, 4) : '';
    return svg(
      'g',
      { class: m.future ? 'month future' : 'month', 'data-month': m.month, 'data-points': m.points },
      m.future
        ? svg('rect', { class: 'outline', x, y: BASE - 6, width: 30, height: 6, rx: 2 })
        : height > 0 && svg('rect', { class: 'fill', x, y: BASE - height, width: 30, height, rx: 2 }),
      !m.future && m.points !== 0 && svg('text', { class: 'value', x: x + 15, y: BASE - height - 6, 'text-anchor': 'middle' }, number(m.points)),
      svg('text', { class: 'label', x: x + 15, y: BASE + 16, 'text-anchor': 'middle' }, label),
      year && svg('text', { class: 'label year', x: x + 15, y: BASE + 32, 'text-anchor': 'middle' }, year),
    );
  });
  return svg(
    'svg',
    {
      id,
      class: 'months',
      viewBox: `0 0 ${width} ${BASE + 40}`,
      role: 'img',
      'aria-label': `${subject}. ${described.join('; ')}.`,
      focusable: 'false',
    },
    svg('line', { class: 'axis', x1: 0, x2: width, y1: BASE, y2: BASE }),
    ...bars,
  );
}
