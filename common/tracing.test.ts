import { afterEach, describe, expect, it } from 'vitest';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from './config.ts';
import {
  CORRELATION_ATTR,
  correlationAttrs,
  currentContext,
  inSpan,
  startTracing,
  traceHeaderLines,
  tracingConfigFromEnv,
  tracingEnabled,
  type RunningTracing,
} from './tracing.ts';

/** An exporter that keeps what it is given, and counts how many were made. */
function recordingExporters(): {
  make: (url: string) => SpanExporter;
  urls: string[];
  spans: ReadableSpan[];
} {
  const urls: string[] = [];
  const spans: ReadableSpan[] = [];
  return {
    urls,
    spans,
    make(url) {
      urls.push(url);
      return {
        export(batch, done) {
          spans.push(...batch);
          done({ code: 0 });
        },
        shutdown: () => Promise.resolve(),
      };
    },
  };
}

describe('tracing', () => {
  let running: RunningTracing | undefined;
  afterEach(async () => {
    await running?.shutdown();
    running = undefined;
  });

  it('reads the OTEL_* variables: off by default, on with a collector, refused when half set', () => {
    expect(tracingConfigFromEnv({})).toEqual({ exporter: 'none', url: undefined, serviceName: undefined });
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: '' }).exporter).toBe(
      'none',
    );
    expect(
      tracingConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'gw-a',
      }),
    ).toEqual({ exporter: 'otlp', url: 'http://collector:4318/v1/traces', serviceName: 'gw-a' });
    // The traces endpoint is taken as it is; `none` wins over an endpoint.
    expect(
      tracingConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/in',
      }).url,
    ).toBe('https://traces.example.com/in');
    expect(
      tracingConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_TRACES_EXPORTER: 'none',
      }),
    ).toEqual({ exporter: 'none', url: undefined, serviceName: undefined });
    expect(() => tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: OTEL_TRACES_EXPORTER=otlp needs the collector/,
    );
    expect(() => tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(ConfigError);
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/,
    );
  });

  it('off: creates no exporter, records and exports nothing, propagates nothing', async () => {
    const exporters = recordingExporters();
    running = await startTracing(tracingConfigFromEnv({}), 'gavel-test', exporters.make);
    expect(running.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    let inner: { recording: boolean; context: unknown; headers: string } | undefined;
    const answer = await inSpan('bid', { attributes: correlationAttrs('req-off') }, (span) => {
      span.setAttribute('gavel.seq', 1);
      inner = { recording: span.isRecording(), context: currentContext(), headers: traceHeaderLines() };
      return Promise.resolve(42);
    });
    expect(answer).toBe(42);
    expect(inner).toEqual({ recording: false, context: undefined, headers: '' });
    await running.flush();
    await running.shutdown();
    expect(exporters.urls).toEqual([]);
    expect(exporters.spans).toEqual([]);
  });

  it('on: one exporter for the collector, spans nested and exported with the correlation id', async () => {
    const exporters = recordingExporters();
    running = await startTracing(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }),
      'gavel-test',
      exporters.make,
    );
    expect(running.enabled).toBe(true);
    expect(exporters.urls).toEqual(['http://127.0.0.1:4318/v1/traces']);
    let headers = '';
    await inSpan('bid', { kind: 'server', attributes: correlationAttrs('req-on') }, async () => {
      await new Promise((r) => setImmediate(r));
      await inSpan('bid.decide', {}, () => {
        headers = traceHeaderLines();
        return Promise.resolve();
      });
    });
    // A refusal is an answer; anything else is an error.
    await expect(
      inSpan(
        'bid',
        {},
        () => Promise.reject(new Error('refused')),
        () => true,
      ),
    ).rejects.toThrow('refused');
    await running.flush();
    const [decide, bid, refused] = exporters.spans;
    expect([decide?.name, bid?.name, refused?.name]).toEqual(['bid.decide', 'bid', 'bid']);
    expect(bid!.attributes[CORRELATION_ATTR]).toBe('req-on');
    expect(bid!.resource.attributes['service.name']).toBe('gavel-test');
    expect(decide!.spanContext().traceId).toBe(bid!.spanContext().traceId);
    expect(decide!.parentSpanContext?.spanId).toBe(bid!.spanContext().spanId);
    expect(headers).toBe(
      `traceparent: 00-${bid!.spanContext().traceId}-${decide!.spanContext().spanId}-01\r\n`,
    );
    expect(refused!.status.code).toBe(0);
    expect(refused!.attributes['gavel.refused']).toBe('refused');
    await running.shutdown();
    expect(tracingEnabled()).toBe(false);
  });
});
