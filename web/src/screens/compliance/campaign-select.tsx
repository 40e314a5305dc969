import { get } from '../../api/client.ts';
import type { Campaign } from '../../api/types.ts';
import { useLoad } from '../../components/use-load.ts';
import { t } from '../../i18n/index.ts';

/** A campaign picker from GET /api/campaigns; `any` offers "every campaign". */
export function CampaignSelect({
  id,
  value,
  onChange,
  any = true,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  any?: boolean;
}) {
  const { data } = useLoad(() => get<Campaign[]>('/api/campaigns'), []);
  return (
    <div className="field">
      <label htmlFor={id}>{t.compliance.campaign}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {any ? (
          <option value="">{t.compliance.everyCampaign}</option>
        ) : (
          <option value="">{t.compliance.pick}</option>
        )}
        {(data ?? []).map((c) => (
          <option key={c.id} value={c.id}>
            {c.id} · {c.name}
          </option>
        ))}
      </select>
    </div>
  );
}
