import { resolve } from 'node:path';
import type { Config } from '../../engine/platform/config.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import { formatMode, openFolderMode } from '../../engine/platform/private-files.ts';

/**
 * At start: the folders that hold numbers (the embedded data folder and its pgdata, the list
 * archive) should be 0700. One that already exists and lets others in is left as it is (its
 * owner may have a reason) but logged as a warning, naming the folder and the fix.
 */
export function warnOpenFolders(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'archiveDir'>,
  logger: Logger,
): string[] {
  const folders: string[] = [];
  if (!config.databaseUrl && !config.dataDir.startsWith('memory://')) {
    folders.push(
      resolve(config.dataDir),
      resolve(config.dataDir, 'pgdata'),
      resolve(config.dataDir, 'archive'),
    );
  }
  if (config.archiveDir) folders.push(resolve(config.archiveDir));
  const open: string[] = [];
  for (const folder of folders) {
    const mode = openFolderMode(folder);
    if (mode === undefined) continue;
    open.push(folder);
    logger.warn(
      { folder, mode: formatMode(mode) },
      'a folder holding phone numbers can be read by other users: chmod 700 it',
    );
  }
  return open;
}
