import { useEffect, useState } from 'react';

/** A campaign's figures once a second (scripts/api/live-feed.ts `CampaignFigures`). */
export interface Figures {
  campaignId: number;
  dialed: number;
  inFlight: number;
  answered: number;
  connected: number;
  abandoned: number;
  abandonRate: { run: number | null; day: number | null; rolling: number | null; cap: number | null };
  occupancy: number;
  pacing: { mode: string | null; ratio: number | null };
  agents: { loggedIn: number; ready: number; onCall: number; wrapUp: number; paused: number };
}

export interface Alarm {
  id: number;
  campaignId: number | null;
  kind: string;
  severity: string;
  message: string;
  raisedAt: string;
  clearedAt: string | null;
}

export interface Point {
  at: string;
  dialed: number;
  connected: number;
  abandoned: number;
}

export interface ManagerFeed {
  connected: boolean;
  figures: Figures | null;
  /** Calls over time: the run's counters at each second received (the last 10 minutes). */
  series: Point[];
  alarms: Alarm[];
}

const KEEP = 600;

/**
 * The manager channel of the live feed (GET /api/events?channel=manager) for one campaign:
 * its figures each second, a series of them for the chart, and its alarms as they fire.
 */
export function useManagerFeed(campaignId: number): ManagerFeed {
  const [feed, setFeed] = useState<ManagerFeed>({ connected: false, figures: null, series: [], alarms: [] });
  useEffect(() => {
    setFeed({ connected: false, figures: null, series: [], alarms: [] });
    const source = new EventSource('/api/events?channel=manager');
    const mine = (list: Figures[]) => list.find((f) => f.campaignId === campaignId) ?? null;
    const point = (at: string, f: Figures): Point => ({
      at,
      dialed: f.dialed,
      connected: f.connected,
      abandoned: f.abandoned,
    });
    source.addEventListener('snapshot', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as {
        campaigns: Figures[];
        alarms: Alarm[];
      };
      const figures = mine(data.campaigns);
      setFeed((s) => ({
        connected: true,
        figures,
        series: figures ? [...s.series, point(new Date().toISOString(), figures)].slice(-KEEP) : s.series,
        alarms: data.alarms.filter((a) => a.campaignId === campaignId || a.campaignId === null),
      }));
    });
    source.addEventListener('figures', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { at: string; campaigns: Figures[] };
      const figures = mine(data.campaigns);
      setFeed((s) => ({
        ...s,
        connected: true,
        figures,
        series: figures ? [...s.series, point(data.at, figures)].slice(-KEEP) : s.series,
      }));
    });
    source.addEventListener('alarm', (event) => {
      const alarm = JSON.parse((event as MessageEvent<string>).data) as Alarm;
      if (alarm.campaignId !== campaignId && alarm.campaignId !== null) return;
      setFeed((s) => ({ ...s, alarms: [alarm, ...s.alarms.filter((a) => a.id !== alarm.id)] }));
    });
    source.addEventListener('error', () => setFeed((s) => ({ ...s, connected: false })));
    return () => source.close();
  }, [campaignId]);
  return feed;
}
