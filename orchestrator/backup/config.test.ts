import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { orchestratorConfigFromEnv } from '../service/config.ts';

const BASE = { REDIS_URL: 'redis://127.0.0.1:6379', GAVEL_MASK_KEY: 'k'.repeat(32) };

describe('BACKUP_* in the orchestrator configuration', () => {
  it('no BACKUP_SCHEDULE, no scheduled backups', () => {
    expect(orchestratorConfigFromEnv(BASE).backup).toBeUndefined();
  });

  it('reads the schedule, the place, retention and the S3 endpoint of the media store', () => {
    const c = orchestratorConfigFromEnv({
      ...BASE,
      BACKUP_SCHEDULE: 'daily@02:30',
      BACKUP_TO: 's3://ops-backups/gavel',
      BACKUP_KEEP: '14',
      BACKUP_MAX_AGE: '30d',
      MEDIA_S3_ENDPOINT: 'http://minio.internal:9000',
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
    }).backup;
    expect(c).toEqual({
      schedule: { kind: 'daily', minuteOfDay: 150 },
      to: 's3://ops-backups/gavel',
      keep: 14,
      maxAgeMs: 30 * 86_400_000,
      s3: {
        endpoint: 'http://minio.internal:9000',
        region: 'us-east-1',
        accessKeyId: undefined,
        secretAccessKey: undefined,
        forcePathStyle: true,
      },
    });
    expect(orchestratorConfigFromEnv({ ...BASE, BACKUP_SCHEDULE: '6h' }).backup).toMatchObject({
      to: './backups',
      keep: undefined,
      maxAgeMs: undefined,
    });
  });

  it('refuses values it cannot use, naming each', () => {
    const refused = (env: Record<string, string>): string => {
      try {
        orchestratorConfigFromEnv({ ...BASE, ...env });
      } catch (err) {
        if (err instanceof ConfigError) return err.message;
        throw err;
      }
      return 'accepted';
    };
    expect(refused({ BACKUP_SCHEDULE: '0 2 * * *' })).toContain('BACKUP_SCHEDULE: expected "daily@HH:MM"');
    expect(refused({ BACKUP_SCHEDULE: '1m' })).toContain('BACKUP_SCHEDULE');
    expect(refused({ BACKUP_KEEP: '0' })).toContain('BACKUP_KEEP');
    expect(refused({ BACKUP_MAX_AGE: '30' })).toContain('BACKUP_MAX_AGE');
    expect(refused({ BACKUP_TO: 's3://' })).toContain('BACKUP_TO');
  });
});
