import type { StrategyRun } from './simulate-dialer.ts';

const WIDTH = 960;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 64, right: 170, top: 36, bottom: 34 };
const COLORS = ['#7f7f7f', '#bcbd22', '#ff7f0e', '#1f77b4', '#2ca02c', '#d62728', '#9467bd'];

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly values: (run: StrategyRun) => (number | null)[];
}

/**
 * A self-contained SVG: per strategy, occupancy, abandonment and lines in flight per time bucket
 * (the simulated days laid end to end, dialing hours only).
 */
export function plotRuns(title: string, runs: readonly StrategyRun[]): string {
  const panels: Panel[] = [
    {
      title: 'Agent occupancy (talk + wrap-up over logged-in time)',
      unit: '%',
      values: (run) =>
        run.series.loggedIn.map((l, i) => (l > 0 ? (100 * (run.series.busy[i] ?? 0)) / l : null)),
    },
    {
      title: 'Abandoned / person-answered calls',
      unit: '%',
      values: (run) =>
        run.series.samples.map((_, i) => {
          const answered = run.series.humanAnswered[i] ?? 0;
          return answered > 0 ? (100 * (run.series.abandoned[i] ?? 0)) / answered : 0;
        }),
    },
    {
      title: 'Calls in flight (mean)',
      unit: '',
      values: (run) => run.series.samples.map((n, i) => (n > 0 ? (run.series.lines[i] ?? 0) / n : null)),
    },
  ];
  const height = MARGIN.top + panels.length * (PANEL_HEIGHT + MARGIN.bottom) + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const top = MARGIN.top + p * (PANEL_HEIGHT + MARGIN.bottom) + 14;
    const series = runs.map((run) => panel.values(run));
    const length = Math.max(1, ...series.map((s) => s.length));
    let max = 0;
    for (const s of series) for (const v of s) if (v !== null && v > max) max = v;
    max = niceCeiling(max);
    const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
    const x = (i: number) => MARGIN.left + (length > 1 ? (i / (length - 1)) * plotWidth : 0);
    const y = (v: number) => top + PANEL_HEIGHT - (max > 0 ? (v / max) * PANEL_HEIGHT : 0);
    parts.push(`<text x="${MARGIN.left}" y="${top - 4}" font-weight="bold">${escapeXml(panel.title)}</text>`);
    parts.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#ccc"/>`,
    );
    for (let g = 0; g <= 4; g++) {
      const v = (max * g) / 4;
      parts.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`,
        `<text x="${MARGIN.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${format(v)}${panel.unit}</text>`,
      );
    }
    series.forEach((values, r) => {
      const color = COLORS[r % COLORS.length];
      let path = '';
      values.forEach((v, i) => {
        if (v === null) return;
        path += `${path === '' ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      });
      if (path) parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
      const legendY = top + 14 + r * 16;
      parts.push(
        `<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 32}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="3"/>`,
        `<text x="${WIDTH - MARGIN.right + 38}" y="${legendY}">${escapeXml(runs[r]?.name ?? '')}</text>`,
      );
    });
    parts.push(
      `<text x="${MARGIN.left + plotWidth / 2}" y="${top + PANEL_HEIGHT + 16}" text-anchor="middle" fill="#666">time (dialing hours, days end to end)</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function niceCeiling(v: number): number {
  if (v <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude;
  return 10 * magnitude;
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
