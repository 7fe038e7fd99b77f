import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { configTable } from './config-doc.js';
import { rootPath } from './paths.js';
import { parseBytes, parseDuration } from './units.js';

describe('config', () => {
  it('starts with no settings at all', () => {
    const c = loadConfig({});
    expect(c.ingestPort).toBe(8080);
    expect(c.queryPort).toBe(8081);
    expect(c.host).toBe('127.0.0.1');
    expect(c.embedded).toBe(true);
    expect(c.dedupWindowMs).toBe(15 * 60_000);
    expect(c.spoolMaxBytes).toBe(1024 ** 3);
    expect(c.retentionRawDays).toBe(30);
    expect(c.retention1dDays).toBe(0);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads environment variables', () => {
    const c = loadConfig({ SLUICE_INGEST_PORT: '9000', CLICKHOUSE_URL: 'http://ch:8123', SLUICE_DEDUP_WINDOW: '30s', SLUICE_MAX_BODY_BYTES: '2MiB' });
    expect(c.ingestPort).toBe(9000);
    expect(c.embedded).toBe(false);
    expect(c.dedupWindowMs).toBe(30_000);
    expect(c.maxBodyBytes).toBe(2 * 1024 * 1024);
  });

  it('fails naming every bad variable and what is allowed', () => {
    try {
      loadConfig({ SLUICE_INGEST_PORT: 'eighty', SLUICE_LOG_LEVEL: 'loud', SLUICE_DEDUP_WINDOW: '15 minutes', CLICKHOUSE_DATABASE: 'x;drop' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('SLUICE_INGEST_PORT="eighty": must be an integer from 0 to 65535');
      expect(msg).toContain('SLUICE_LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent');
      expect(msg).toContain('SLUICE_DEDUP_WINDOW');
      expect(msg).toContain('CLICKHOUSE_DATABASE');
      expect((err as ConfigError).problems).toHaveLength(4);
    }
  });

  it('parses units', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('250')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(/duration/);
    expect(parseBytes('64KiB')).toBe(65536);
    expect(parseBytes('1GB')).toBe(1e9);
    expect(parseBytes('123')).toBe(123);
    expect(() => parseBytes('big')).toThrow(/size/);
  });

  it('README lists every setting as the code defines it', () => {
    const readme = fs.readFileSync(rootPath('README.md'), 'utf8');
    expect(readme).toContain(configTable());
  });
});
