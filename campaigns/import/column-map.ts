import { UsageError } from '../../engine/platform/errors.ts';
import { ImportFileError } from './import-file-error.ts';

/**
 * Which column of a list holds what. The manager may say it with `--map phone=手机号码,tz=zone`;
 * otherwise the header names are matched against the names clients actually use, in English
 * and Chinese. Only the phone column is required.
 */

export const MAPPED_ROLES = ['phone', 'name', 'tz', 'consent', 'account'] as const;
export type MappedRole = (typeof MAPPED_ROLES)[number];
export type ColumnMapSpec = Partial<Record<MappedRole, string>>;

/** Header names recognised without --map, compared after lower-casing and removing spaces, _ and -. */
const SYNONYMS: Record<MappedRole, readonly string[]> = {
  phone: [
    'phone',
    'phonenumber',
    'phoneno',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'cell',
    'cellphone',
    'msisdn',
    'tel',
    'telephone',
    'number',
    'e164',
    '手机号码',
    '手机号',
    '手机',
    '电话',
    '电话号码',
    '联系电话',
    '号码',
    '移动电话',
  ],
  name: ['name', 'fullname', 'customername', 'contactname', '姓名', '名字', '客户姓名', '客户名称'],
  tz: ['tz', 'timezone', 'zone', '时区'],
  consent: ['consent', 'consentref', 'consentreference', 'optin', '同意', '授权', '同意书', '授权编号'],
  // The account (the debt) a contact is called about: per-account frequency rules count by it.
  account: [
    'account',
    'accountref',
    'accountnumber',
    'accountno',
    'debtref',
    'debtid',
    '账号',
    '账户',
    '合同号',
  ],
};

const comparable = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/** Parses `phone=<col>,name=<col>,…`; a column is a header name or a 1-based column number. */
export function parseColumnMap(spec: string | undefined): ColumnMapSpec {
  const map: ColumnMapSpec = {};
  if (!spec) return map;
  for (const part of spec.split(',')) {
    const [role, ...rest] = part.split('=');
    const column = rest.join('=').trim();
    const key = role?.trim() ?? '';
    if (!(MAPPED_ROLES as readonly string[]).includes(key) || column === '') {
      throw new UsageError(
        `--map expects ${MAPPED_ROLES.map((r) => `${r}=<column>`).join(',')}; got "${part.trim()}"`,
      );
    }
    map[key as MappedRole] = column;
  }
  return map;
}

export interface ResolvedColumns {
  readonly phone: number;
  readonly name: number | undefined;
  readonly tz: number | undefined;
  readonly consent: number | undefined;
  readonly account: number | undefined;
  /** Key under which each column is kept in contacts.fields (unique, never empty). */
  readonly fieldKeys: readonly string[];
}

function findColumn(headers: readonly string[], column: string, role: MappedRole): number {
  if (/^\d+$/.test(column)) {
    const index = Number(column) - 1;
    if (index >= 0 && index < headers.length) return index;
  } else {
    const wanted = comparable(column);
    const index = headers.findIndex((h) => comparable(h) === wanted);
    if (index >= 0) return index;
  }
  throw new ImportFileError(
    1,
    `--map ${role}=${column}: no such column (the header has ${headers.map((h) => `"${h}"`).join(', ')})`,
  );
}

export function resolveColumns(headers: readonly string[], map: ColumnMapSpec): ResolvedColumns {
  const found: Partial<Record<MappedRole, number>> = {};
  for (const role of MAPPED_ROLES) {
    const explicit = map[role];
    if (explicit !== undefined) {
      found[role] = findColumn(headers, explicit, role);
      continue;
    }
    const names = SYNONYMS[role];
    const index = headers.findIndex((h) => names.includes(comparable(h)));
    if (index >= 0 && !Object.values(found).includes(index)) found[role] = index;
  }
  if (found.phone === undefined) {
    throw new ImportFileError(
      1,
      `no phone column: the header has ${headers.map((h) => `"${h}"`).join(', ')}; name it with --map phone=<column>`,
    );
  }
  const seen = new Set<string>();
  const fieldKeys = headers.map((header, i) => {
    const base = header.trim() || `column_${i + 1}`;
    let key = base;
    for (let n = 2; seen.has(key); n++) key = `${base}_${n}`;
    seen.add(key);
    return key;
  });
  return {
    phone: found.phone,
    name: found.name,
    tz: found.tz,
    consent: found.consent,
    account: found.account,
    fieldKeys,
  };
}
