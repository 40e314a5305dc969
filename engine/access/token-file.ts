import { closeSync, readFileSync, statSync, writeSync } from 'node:fs';
import { formatMode, openPrivateFile } from '../platform/private-files.ts';
import { AuthenticationError } from './errors.ts';

/**
 * The token file: where `token create --save` keeps a token for the CLI and scripts, readable
 * by its owner only. A file others can read (or owned by someone else) is refused, not used:
 * whoever could read it could act as its owner.
 */
export function readTokenFile(path: string): string | undefined {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const mode = Number(stat.mode) & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AuthenticationError(
      `token file ${path} can be read by other users (mode ${formatMode(mode)}); refusing it: chmod 600 ${path}, or revoke that token and create a new one`,
      'token_file_open',
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && Number(stat.uid) !== uid) {
    throw new AuthenticationError(
      `token file ${path} belongs to another user; refusing it`,
      'token_file_open',
    );
  }
  const token = readFileSync(path, 'utf8').trim();
  return token === '' ? undefined : token;
}

/** Writes the token as a 0600 file (its folder 0700 if created), replacing any earlier token. */
export function writeTokenFile(path: string, token: string): void {
  const fd = openPrivateFile(path, 'w');
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
}
