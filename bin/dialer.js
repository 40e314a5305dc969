#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx dialer` works right after `npm ci`
// without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/dialer.ts');
