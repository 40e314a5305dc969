/**
 * Renders a text as an Asterisk sound file with Debian's espeak-ng (speech) and sox: raw
 * G.711 µ-law at 8 kHz, mono (`.ulaw`, played by format_pcm; no transcoding on a ulaw trunk,
 * codec_a_mu for alaw; 8 kB a second). Used for the identification message of abandoned calls:
 *
 *   npm run sounds -- --campaign my-campaign.json [--out dir]     the campaign's own text
 *   npm run sounds -- --text "…" --language zh --name dialer-identification [--out dir]
 *   npm run sounds -- --shipped                                    re-makes asterisk-conf/sounds/
 *
 * Needs `apt-get install espeak-ng sox`. A recorded voice is better than this: drop a WAV of the
 * same shape in place of the file (see asterisk-conf/README.md, "Sounds").
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { UsageError, UserError } from '../../engine/platform/errors.ts';
import { parseOrThrow } from '../../engine/platform/zod-error.ts';
import { type SoundLanguage, soundFileFor, speechRate, speechVoice } from './sound-files.ts';

const SHIPPED_DIR = join(import.meta.dirname, '../../asterisk-conf/sounds');

function run(command: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new UserError(`${command} is not installed (apt-get install espeak-ng sox)`)
          : error,
      ),
    );
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new UserError(`${command} failed: ${err.trim()}`)),
    );
    child.stdin.end(input);
  });
}

/** Speaks `text` and writes `<out>/<language>/<name>.ulaw` (8 kHz mono µ-law). */
export async function makeSound(text: string, language: SoundLanguage, name: string, out: string) {
  const speech = await run('espeak-ng', [
    '-v',
    speechVoice(language),
    '-s',
    String(speechRate(language)),
    '--stdout',
    text,
  ]);
  const file = join(out, soundFileFor(language, name));
  mkdirSync(join(out, language), { recursive: true });
  await run('sox', ['-t', 'wav', '-', '-t', 'ul', '-r', '8000', '-c', '1', file], speech);
  return file;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      campaign: { type: 'string' },
      text: { type: 'string' },
      language: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      shipped: { type: 'boolean' },
    },
  });
  const out = values.out ?? SHIPPED_DIR;
  const jobs: { text: string; language: SoundLanguage; name: string }[] = [];
  if (values.shipped) {
    const texts = JSON.parse(readFileSync(join(import.meta.dirname, 'identification-texts.json'), 'utf8'));
    for (const language of ['en', 'zh'] as const)
      jobs.push({ text: texts[language], language, name: 'dialer-identification' });
  } else if (values.campaign) {
    const definition = parseOrThrow(
      campaignDefinitionSchema,
      JSON.parse(readFileSync(values.campaign, 'utf8')),
      `campaign file ${values.campaign}`,
    );
    const { identificationMessage, identificationText, language } = definition.abandon;
    if (!identificationText) throw new UsageError('the campaign has no abandon.identificationText to speak');
    if (!identificationMessage.startsWith('sound:'))
      throw new UsageError('abandon.identificationMessage must be a sound: URI to be made here');
    jobs.push({ text: identificationText, language, name: identificationMessage.slice('sound:'.length) });
  } else {
    if (!values.text || !values.name)
      throw new UsageError('give --campaign, --shipped, or --text and --name');
    const language = values.language ?? 'en';
    if (language !== 'en' && language !== 'zh') throw new UsageError('--language must be en or zh');
    jobs.push({ text: values.text, language, name: values.name });
  }
  for (const job of jobs) {
    const file = await makeSound(job.text, job.language, job.name, out);
    process.stdout.write(`${file}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
}
