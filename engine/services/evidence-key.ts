import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError, UserError } from '../platform/errors.ts';

/**
 * The checkpoint signing key: an Ed25519 private key in a PEM file kept outside the database
 * (config `evidenceKeyFile` / DIALER_EVIDENCE_KEY_FILE), mode 0600, and its public key beside it
 * as `<file>.pub` for officers who verify checkpoints without the secret.
 */

export function publicKeyPathFor(keyFile: string): string {
  return `${keyFile}.pub`;
}

export function requireKeyFile(keyFile: string | undefined): string {
  if (!keyFile) {
    throw new UsageError(
      'no checkpoint key configured: set evidenceKeyFile in the config file (or DIALER_EVIDENCE_KEY_FILE) to a path outside the database, then run `dialer log checkpoint --init-key`',
    );
  }
  return keyFile;
}

/** Creates the key pair; refuses to replace an existing key (earlier checkpoints name it). */
export function initKey(keyFile: string): { keyFile: string; publicKeyFile: string } {
  if (existsSync(keyFile)) {
    throw new UserError(`${keyFile} already exists; a checkpoint key is never replaced in place`, 'conflict');
  }
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // 'wx': fails rather than follow a file created meanwhile; mode applies at creation.
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  const publicKeyFile = publicKeyPathFor(keyFile);
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { keyFile, publicKeyFile };
}

/** The private key; refused when others than the owner may read the file. */
export function loadPrivateKey(keyFile: string): KeyObject {
  if (!existsSync(keyFile)) {
    throw new UserError(
      `checkpoint key ${keyFile} does not exist: create it with \`dialer log checkpoint --init-key\``,
      'not_found',
    );
  }
  const mode = statSync(keyFile).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new UserError(
      `checkpoint key ${keyFile} is readable by others (mode ${mode.toString(8)}): chmod 600 it`,
      'refused',
    );
  }
  try {
    return createPrivateKey(readFileSync(keyFile));
  } catch (error) {
    throw new UserError(`checkpoint key ${keyFile} is not a private key in PEM`, 'invalid', { cause: error });
  }
}

/**
 * The public key checkpoints are verified with: --public-key, else <evidenceKeyFile>.pub, else
 * derived from the private key.
 */
export function loadPublicKey(options: { publicKeyFile?: string; keyFile?: string }): KeyObject {
  const file =
    options.publicKeyFile ??
    (options.keyFile && existsSync(publicKeyPathFor(options.keyFile))
      ? publicKeyPathFor(options.keyFile)
      : undefined);
  if (file) {
    try {
      return createPublicKey(readFileSync(file));
    } catch (error) {
      throw new UserError(`${file} is not a public key in PEM`, 'invalid', { cause: error });
    }
  }
  if (options.keyFile) return createPublicKey(loadPrivateKey(options.keyFile));
  throw new UsageError(
    'checking a checkpoint needs the public key: give --public-key <file> or configure evidenceKeyFile',
  );
}
