import { useMemo, useState } from 'react';
import { get, query } from '../../api/client.ts';
import { Chart, type ChartOption } from '../../components/chart.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { useLoad } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';
import { CampaignSelect } from './campaign-select.tsx';

interface Report {
  maxRate: number;
  window: string;
  timeZone: string;
  days: {
    day: string;
    humanAnswered: number;
    abandoned: number;
    dayRate: number | null;
    rollingRate: number | null;
    overCap: boolean;
  }[];
}

const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(2)}%`);

/** Abandonment per day of one campaign (GET /api/reports/abandonment), against its cap. */
export function AbandonmentDesk() {
  const a = t.compliance.abandonment;
  const [campaign, setCampaign] = useState('');
  const { data, error } = useLoad(
    () =>
      campaign
        ? get<Report>(`/api/reports/abandonment${query({ campaign, days: 30 })}`)
        : Promise.resolve(null),
    [campaign],
  );
  const option: ChartOption = useMemo(
    () =>
      data
        ? {
            legend: { top: 0 },
            grid: { left: 56, right: 16, top: 30, bottom: 24 },
            xAxis: { type: 'category', data: data.days.map((d) => d.day) },
            yAxis: {
              type: 'value',
              // The cap in view, with room above it.
              max: (v: { max: number }) => Math.max(v.max, data.maxRate * 1.5),
              axisLabel: { formatter: (v: number) => `${(v * 100).toFixed(1)}%` },
            },
            series: [
              { name: a.day, type: 'bar', data: data.days.map((d) => d.dayRate) },
              {
                name: a.rolling,
                type: 'line',
                data: data.days.map((d) => d.rollingRate),
                markLine: {
                  symbol: 'none',
                  data: [{ yAxis: data.maxRate }],
                  label: { formatter: a.cap, position: 'insideEndTop' },
                },
              },
            ],
          }
        : {},
    [data, a],
  );
  return (
    <div>
      <div className="filters">
        <CampaignSelect id="abandon-campaign" value={campaign} onChange={setCampaign} any={false} />
      </div>
      {error && <p role="alert">{error}</p>}
      {data && (
        <>
          <p>{a.summary(percent(data.maxRate), data.window, data.timeZone)}</p>
          <Chart option={option} label={a.chart} height={260} />
          <DataTable caption={a.chart} columns={a.columns}>
            {data.days.map((d) => (
              <tr key={d.day} className={d.overCap ? 'over' : undefined}>
                <td>{d.day}</td>
                <td>{d.humanAnswered}</td>
                <td>{d.abandoned}</td>
                <td>{percent(d.dayRate)}</td>
                <td>{percent(d.rollingRate)}</td>
                <td>{d.overCap ? a.over : ''}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </div>
  );
}
