import * as echarts from 'echarts';
import type { CampaignPeriodSummary, ManagementSummary } from './management-summary.ts';

/**
 * Renderings of the management summary: flat rows (CSV) and a self-contained HTML page whose
 * charts are SVG drawn on the server by Apache ECharts (SSR mode: no browser, no script in the
 * page, nothing fetched when it is opened).
 */

export const SUMMARY_CSV_COLUMNS = [
  'period',
  'campaign_id',
  'campaign',
  'dials',
  'answered',
  'connects',
  'connection_rate',
  'answer_rate',
  'abandoned',
  'abandon_rate',
  'abandon_day_max',
  'abandon_rolling',
  'abandon_window',
  'outcomes',
  'agent_hours',
  'talk_hours',
  'occupancy',
  'qa_evaluations',
  'qa_average_score',
  'qa_pass_rate',
  'satisfaction_asked',
  'satisfaction_scored',
  'satisfaction_average',
  'alarms',
] as const;

export function summaryCsvRows(summary: ManagementSummary): Array<Record<string, unknown>> {
  return summary.campaigns.map((c) => ({
    period: summary.label,
    campaign_id: c.campaignId,
    campaign: c.campaignName,
    dials: c.dials,
    answered: c.answered,
    connects: c.connects,
    connection_rate: c.connectionRate,
    answer_rate: c.answerRate,
    abandoned: c.abandoned,
    abandon_rate: c.abandonRate,
    abandon_day_max: c.abandonDayMax,
    abandon_rolling: c.abandonRolling,
    abandon_window: c.abandonWindow,
    outcomes: Object.entries(c.outcomes)
      .map(([k, v]) => `${k}:${v}`)
      .join(' '),
    agent_hours: c.agentHours,
    talk_hours: c.talkHours,
    occupancy: c.occupancy,
    qa_evaluations: c.qa.evaluations,
    qa_average_score: c.qa.averageScore,
    qa_pass_rate: c.qa.passRate,
    satisfaction_asked: c.satisfaction.asked,
    satisfaction_scored: c.satisfaction.scored,
    satisfaction_average: c.satisfaction.average,
    alarms: Object.entries(c.alarms)
      .map(([k, v]) => `${k}:${v}`)
      .join(' '),
  }));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** One chart as an SVG string (ECharts server-side rendering). */
function svgChart(option: echarts.EChartsOption, width = 560, height = 300): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const num = (v: number | null) => (v === null ? '–' : String(v));

function campaignSection(c: CampaignPeriodSummary): string {
  const outcomeNames = Object.keys(c.outcomes).sort();
  const outcomes =
    outcomeNames.length === 0
      ? '<p>No outcomes recorded.</p>'
      : svgChart({
          title: { text: 'Outcomes by type', textStyle: { fontSize: 13 } },
          grid: { left: 110, right: 20, top: 40, bottom: 30 },
          xAxis: { type: 'value', minInterval: 1 },
          yAxis: { type: 'category', data: outcomeNames },
          series: [
            {
              type: 'bar',
              data: outcomeNames.map((n) => c.outcomes[n] ?? 0),
              label: { show: true, position: 'right' },
            },
          ],
        });
  const rateNames = [
    'answer',
    'connection',
    'abandon (period)',
    'abandon (worst day)',
    `abandon (${c.abandonWindow})`,
  ];
  const rates = svgChart({
    title: { text: 'Rates (%)', textStyle: { fontSize: 13 } },
    grid: { left: 140, right: 40, top: 40, bottom: 30 },
    xAxis: { type: 'value', max: 100 },
    yAxis: { type: 'category', data: rateNames },
    series: [
      {
        type: 'bar',
        data: [c.answerRate, c.connectionRate, c.abandonRate, c.abandonDayMax, c.abandonRolling].map((v) =>
          v === null ? 0 : Math.round(v * 1000) / 10,
        ),
        label: { show: true, position: 'right' },
        markLine: { symbol: 'none', data: [{ xAxis: c.abandonCap * 100, name: 'abandonment cap' }] },
      },
    ],
  });
  const scores = ['1', '2', '3', '4', '5'];
  const satisfaction =
    c.satisfaction.scored === 0
      ? '<p>No satisfaction scores.</p>'
      : svgChart({
          title: { text: 'Satisfaction scores', textStyle: { fontSize: 13 } },
          grid: { left: 40, right: 20, top: 40, bottom: 30 },
          xAxis: { type: 'category', data: scores },
          yAxis: { type: 'value', minInterval: 1 },
          series: [
            {
              type: 'bar',
              data: scores.map((s) => c.satisfaction.distribution[s] ?? 0),
              label: { show: true, position: 'top' },
            },
          ],
        });
  const figures: Array<[string, string]> = [
    ['Dials', String(c.dials)],
    ['Answered', String(c.answered)],
    ['Connects', String(c.connects)],
    ['Connection rate', pct(c.connectionRate)],
    [
      'Abandoned',
      `${c.abandoned} (${pct(c.abandonRate)}; worst day ${pct(c.abandonDayMax)}; ${c.abandonWindow} rolling ${pct(c.abandonRolling)}; cap ${pct(c.abandonCap)})`,
    ],
    ['Agent hours', c.agentHours.toFixed(2)],
    ['Talk hours', c.talkHours.toFixed(2)],
    ['Occupancy', pct(c.occupancy)],
    [
      'QA',
      c.qa.evaluations === 0
        ? 'no evaluations'
        : `${c.qa.evaluations} evaluations, average ${num(c.qa.averageScore)}, pass rate ${pct(c.qa.passRate)}`,
    ],
    [
      'Satisfaction',
      c.satisfaction.asked === 0
        ? 'not asked'
        : `${c.satisfaction.scored} of ${c.satisfaction.asked} scored, average ${num(c.satisfaction.average)}`,
    ],
    [
      'Alarms',
      Object.keys(c.alarms).length === 0
        ? 'none'
        : Object.entries(c.alarms)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', '),
    ],
  ];
  return `<section>
<h2>Campaign ${c.campaignId}: ${escapeHtml(c.campaignName)}</h2>
<table>${figures.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<div class="charts">${rates}${outcomes}${satisfaction}</div>
</section>`;
}

export function summaryHtml(summary: ManagementSummary): string {
  const title = `${{ day: 'Daily', week: 'Weekly', month: 'Monthly' }[summary.period]} summary ${summary.label}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f4f4f4}.charts svg{margin:0 1em 1em 0;vertical-align:top}section{page-break-inside:avoid;margin-bottom:2em}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(`${summary.from.toISOString()} to ${summary.to.toISOString()} (${summary.timeZone})`)}</p>
${summary.campaigns.length === 0 ? '<p>No calls in this period.</p>' : summary.campaigns.map(campaignSection).join('\n')}
</body></html>
`;
}
