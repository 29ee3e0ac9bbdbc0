import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_APPENDFSYNC } from '../tools/chaos/run.ts';

const compose = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');

describe('the deployed Redis durability', () => {
  it('is appendfsync always, what loses no acknowledged bid on a host crash, and what npm run chaos proves', () => {
    const command = /^ {2}redis:\n(?: {4}.*\n)*? {4}command: (\[.*\])$/m.exec(compose)?.[1];
    expect(command).toBeDefined();
    const args = JSON.parse(command!.replace(/'/g, '"')) as string[];
    expect(args.slice(0, 1)).toEqual(['redis-server']);
    expect(args[args.indexOf('--appendonly') + 1]).toBe('yes');
    expect(args[args.indexOf('--appendfsync') + 1]).toBe('always');
    expect(DEFAULT_APPENDFSYNC).toBe('always');
  });
});
