import { useMemo } from 'react';
import { Chart, type ChartOption } from '../../components/chart.tsx';
import { t } from '../../i18n/index.ts';
import { useManagerFeed } from './use-manager-feed.ts';

const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;

/** A campaign's live dashboard: figures from the manager feed, charts, agents by state, alarms. */
export function Dashboard({ campaignId }: { campaignId: number }) {
  const feed = useManagerFeed(campaignId);
  const d = t.dashboard;
  const f = feed.figures;

  const calls: ChartOption = useMemo(
    // A line needs two samples: until then the points themselves are drawn, or the chart looks empty.
    () => ({
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 30, bottom: 24 },
      xAxis: { type: 'category', data: feed.series.map((p) => p.at.slice(11, 19)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: d.dialed,
          type: 'line',
          showSymbol: feed.series.length < 2,
          data: feed.series.map((p) => p.dialed),
        },
        {
          name: d.connected,
          type: 'line',
          showSymbol: feed.series.length < 2,
          data: feed.series.map((p) => p.connected),
        },
        {
          name: d.abandoned,
          type: 'line',
          showSymbol: feed.series.length < 2,
          data: feed.series.map((p) => p.abandoned),
        },
      ],
    }),
    [feed.series],
  );
  const cap = f?.abandonRate.cap ?? null;
  const abandon: ChartOption = useMemo(
    () => ({
      grid: { left: 48, right: 16, top: 16, bottom: 24 },
      xAxis: { type: 'category', data: [d.run, d.day, d.rolling] },
      yAxis: {
        type: 'value',
        // The cap in view, with room above it.
        max: (v: { max: number }) => Math.max(v.max, (cap ?? 0) * 1.5, 0.01),
        axisLabel: { formatter: (v: number) => `${(v * 100).toFixed(1)}%` },
      },
      series: [
        {
          type: 'bar',
          name: d.abandonRate,
          data: [f?.abandonRate.run ?? 0, f?.abandonRate.day ?? 0, f?.abandonRate.rolling ?? 0],
          ...(cap !== null
            ? {
                markLine: {
                  symbol: 'none',
                  data: [{ yAxis: cap, name: d.cap }],
                  // Inside the plot, above the line: at the line's end the label ran past the chart's edge.
                  label: { formatter: d.cap, position: 'insideEndTop' },
                },
              }
            : {}),
        },
      ],
    }),
    [f, cap],
  );

  if (!f)
    return (
      <section aria-labelledby="dashboard-title" className="panel">
        <h2 id="dashboard-title">{d.title}</h2>
        <p data-testid="dashboard-idle">{feed.connected ? d.notRunning : t.app.loading}</p>
        <Alarms alarms={feed.alarms} />
      </section>
    );

  const overCap = (rate: number | null) => cap !== null && rate !== null && rate > cap;
  return (
    <section aria-labelledby="dashboard-title" className="panel" data-testid="dashboard">
      <h2 id="dashboard-title">{d.title}</h2>
      {!feed.connected && <p className="notice">{d.feedLost}</p>}
      <dl className="figures">
        <Figure id="dialed" label={d.dialed} value={f.dialed} />
        <Figure id="in-flight" label={d.inFlight} value={f.inFlight} />
        <Figure id="answered" label={d.answered} value={f.answered} />
        <Figure id="connected" label={d.connected} value={f.connected} />
        <Figure id="abandoned" label={d.abandoned} value={f.abandoned} />
        <Figure id="occupancy" label={d.occupancy} value={percent(f.occupancy)} />
        <Figure id="pacing" label={d.pacing} value={f.pacing.mode ?? '—'} />
        <Figure
          id="ratio"
          label={d.ratio}
          value={f.pacing.ratio === null ? '—' : f.pacing.ratio.toFixed(2)}
        />
      </dl>
      <div className="charts">
        <div>
          <h3>{d.callsOverTime}</h3>
          <Chart option={calls} label={d.callsOverTime} />
        </div>
        <div>
          <h3>{d.abandonRate}</h3>
          <Chart option={abandon} label={d.abandonRate} />
          <dl className="figures small">
            <Figure
              id="abandon-day"
              label={d.day}
              value={percent(f.abandonRate.day)}
              alarm={overCap(f.abandonRate.day)}
            />
            <Figure
              id="abandon-rolling"
              label={d.rolling}
              value={percent(f.abandonRate.rolling)}
              alarm={overCap(f.abandonRate.rolling)}
            />
            <Figure id="abandon-cap" label={d.cap} value={percent(cap)} />
          </dl>
        </div>
      </div>
      <table data-testid="agents-by-state">
        <caption>{d.agents}</caption>
        <thead>
          <tr>
            {(['loggedIn', 'ready', 'onCall', 'wrapUp', 'paused'] as const).map((k) => (
              <th key={k} scope="col">
                {d.agentStates[k]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {(['loggedIn', 'ready', 'onCall', 'wrapUp', 'paused'] as const).map((k) => (
              <td key={k}>{f.agents[k]}</td>
            ))}
          </tr>
        </tbody>
      </table>
      <Alarms alarms={feed.alarms} />
    </section>
  );
}

function Figure({
  id,
  label,
  value,
  alarm = false,
}: {
  id: string;
  label: string;
  value: string | number;
  alarm?: boolean;
}) {
  return (
    <div className={alarm ? 'figure over' : 'figure'}>
      <dt>{label}</dt>
      <dd data-testid={`figure-${id}`}>{value}</dd>
    </div>
  );
}

function Alarms({ alarms }: { alarms: ReturnType<typeof useManagerFeed>['alarms'] }) {
  const d = t.dashboard;
  return (
    <div aria-live="polite">
      <h3>{d.alarms}</h3>
      {alarms.length === 0 ? (
        <p>{d.noAlarms}</p>
      ) : (
        <ul className="alarms" data-testid="alarms">
          {alarms.map((a) => (
            <li key={a.id} className={`alarm ${a.severity}`}>
              <time dateTime={a.raisedAt}>{a.raisedAt.replace('T', ' ').slice(0, 19)}</time> {a.kind}:{' '}
              {a.message}
              {a.clearedAt ? ` (${d.cleared})` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
