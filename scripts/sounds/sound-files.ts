/** Languages the shipped identification message exists in; Asterisk's sound folder per language. */
export const SOUND_LANGUAGES = ['en', 'zh'] as const;
export type SoundLanguage = (typeof SOUND_LANGUAGES)[number];

/** espeak-ng voice per language (Mandarin is `cmn`). */
export function speechVoice(language: SoundLanguage): string {
  return language === 'zh' ? 'cmn' : 'en-us';
}

/** Words a minute: espeak-ng's Mandarin is slow at its default; a message should be short. */
export function speechRate(language: SoundLanguage): number {
  return language === 'zh' ? 230 : 165;
}

/** Where a sound lives under Asterisk's sounds folder: `<language>/<name>.ulaw` (raw G.711 µ-law, 8 kHz: format_pcm plays it, a ulaw trunk without transcoding, 8 kB a second). */
export function soundFileFor(language: SoundLanguage, name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`sound name ${name} must be letters, digits, _ and -`);
  return `${language}/${name}.ulaw`;
}
