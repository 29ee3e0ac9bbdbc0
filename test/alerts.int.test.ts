import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../deploy/prometheus/', import.meta.url));

/**
 * The alert rules operators load into Prometheus: valid (`promtool check rules`), and each alert
 * fires on the series that should raise it and stays quiet on healthy ones (`promtool test rules`
 * with deploy/prometheus/alerts.test.yml). Debian's prometheus package has promtool; .ci/run installs it.
 */
describe('the alert rules (promtool)', () => {
  it('are valid rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: DIR });
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('fire when they should, and only then', async () => {
    const { stdout } = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: DIR });
    expect(stdout).toContain('SUCCESS');
  });
});
