/**
 * The public origin's proxy as a runner process: Debian's HAProxy with the repository's
 * deploy/haproxy/haproxy.cfg (the file compose mounts), its upstreams given by environment.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProcessSpec } from './managed-process.ts';
import { httpReady } from './ready.ts';

export const HAPROXY_CONFIG = fileURLToPath(new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url));

/** Whether `haproxy` is on the PATH (Debian: apt-get install haproxy). */
export function haproxyInstalled(): boolean {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** HAProxy on 127.0.0.1:`port` in front of two gateways and two hubs, and the back office's callbacks (`http://host:port` each). */
export function haproxySpec(opts: {
  name: string;
  port: number;
  gateways: [string, string];
  hubs: [string, string];
  /** The back office, for the vendors' callbacks (/kyc/webhook, /notify/twilio/status). */
  orchestrator?: string;
  /** A back-office gateway serving /admin (unset: the first gateway, which serves no panel). */
  panel?: string;
}): ProcessSpec {
  const hostPort = (url: string): string => new URL(url).host;
  return {
    name: opts.name,
    command: 'haproxy',
    // -db: in the foreground, logs on stdout (the runner keeps them per incarnation).
    args: ['-db', '-f', HAPROXY_CONFIG],
    env: {
      PROXY_BIND: `127.0.0.1:${opts.port}`,
      GATEWAY_1: hostPort(opts.gateways[0]),
      GATEWAY_2: hostPort(opts.gateways[1]),
      HUB_1: hostPort(opts.hubs[0]),
      HUB_2: hostPort(opts.hubs[1]),
      ...(opts.orchestrator === undefined ? {} : { ORCHESTRATOR: hostPort(opts.orchestrator) }),
      ...(opts.panel === undefined ? {} : { PANEL: hostPort(opts.panel) }),
    },
    ready: httpReady(`http://127.0.0.1:${opts.port}/healthz`),
    stopTimeoutMs: 5_000,
  };
}
