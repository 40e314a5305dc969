/** Global setup of `npm run test:asterisk`: a real Asterisk is required, never faked. */
export default function requireAsterisk(): void {
  if (!process.env.ASTERISK_ARI_URL) {
    throw new Error(
      'npm run test:asterisk needs a real Asterisk: set ASTERISK_ARI_URL (e.g. http://127.0.0.1:8088), ' +
        'ASTERISK_ARI_USERNAME and ASTERISK_ARI_PASSWORD (test/asterisk/README.md)',
    );
  }
}
