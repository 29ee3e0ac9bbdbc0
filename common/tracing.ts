/**
 * OpenTelemetry traces of the bid path (docs/operations.md, "Traces"): off unless the environment
 * asks for them. Off, nothing of the SDK is loaded, no exporter exists, and every helper here is one
 * boolean test before the caller's own work; on, each process exports its spans over OTLP/HTTP.
 *
 * Spans: `bid` (the gateway, HTTP or a texted bid) → `bid.decide` (the engine, in this process or,
 * through a W3C `traceparent` header, in the bidding process) → `hub.publish` (each hub update the
 * decision queued). The ledger writer's `ledger.apply` and the outbox's `notification.send` start
 * traces of their own: they happen later, in batches, and are joined to the bid by the attribute
 * `gavel.correlation_id` (the id the logs carry).
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type {
  InMemorySpanExporter,
  ReadableSpan,
  SpanExporter,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type * as SdkTraceBase from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { loadEnv } from './config.ts';

export type { Context as TraceContext, Span } from '@opentelemetry/api';

/** The attribute every Gavel span of a bid carries: the correlation id of the logs. */
export const CORRELATION_ATTR = 'gavel.correlation_id';

/** The instrumentation scope of Gavel's own spans. */
const SCOPE = 'gavel';

export interface TracingConfig {
  /** `otlp`: export over OTLP/HTTP; `none`: no tracing at all (the default). */
  exporter: 'otlp' | 'none';
  /** Where spans are POSTed (the collector's `/v1/traces`); undefined when off. */
  url: string | undefined;
  /** `service.name` of this process's spans. */
  serviceName: string | undefined;
}

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://collector:4318' })
  .optional()
  .or(z.literal('').transform(() => undefined));

const tracingEnv = z
  .object({
    OTEL_TRACES_EXPORTER: z
      .enum(['otlp', 'none'], { error: 'expected "otlp" or "none"' })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
    OTEL_SERVICE_NAME: z.string().optional(),
  })
  .transform((e, ctx): TracingConfig => {
    // The base endpoint gets the signal's path; the traces endpoint is used as it is (the OTLP spec's rule).
    const url =
      e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (e.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
        ? undefined
        : `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
    // Opt-in: an endpoint turns exporting on unless OTEL_TRACES_EXPORTER=none says otherwise.
    const exporter = e.OTEL_TRACES_EXPORTER ?? (url === undefined ? 'none' : 'otlp');
    if (exporter === 'otlp' && url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['OTEL_EXPORTER_OTLP_ENDPOINT'],
        message:
          'OTEL_TRACES_EXPORTER=otlp needs the collector: set OTEL_EXPORTER_OTLP_ENDPOINT (http://host:4318)',
      });
      return z.NEVER;
    }
    const serviceName = e.OTEL_SERVICE_NAME?.trim();
    return {
      exporter,
      url: exporter === 'otlp' ? url : undefined,
      serviceName: serviceName === '' ? undefined : serviceName,
    };
  });

/** OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_SERVICE_NAME. */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TracingConfig {
  return loadEnv(tracingEnv, env);
}

/** What started tracing in this process: flush and stop it at shutdown. */
export interface RunningTracing {
  /** Whether spans are recorded and exported. */
  readonly enabled: boolean;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops tracing. */
  shutdown(): Promise<void>;
}

/** Whether this process records spans: the one test the bid path makes when tracing is off. */
let enabled = false;

/** Whether spans are recorded (an SDK is installed). */
export function tracingEnabled(): boolean {
  return enabled;
}

const OFF: RunningTracing = {
  enabled: false,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

type Sdk = typeof SdkTraceBase;

/**
 * Installs the SDK globally with these span processors: the async-hooks context manager (a span
 * started inside another's callback is its child across awaits), the W3C trace-context propagator,
 * and a tracer provider for `serviceName`.
 */
async function install(
  serviceName: string,
  processors: (sdk: Sdk) => SpanProcessor[],
): Promise<RunningTracing> {
  if (enabled) throw new Error('tracing is already started in this process');
  const [
    sdk,
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: processors(sdk),
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  let stopped = false;
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      enabled = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Starts tracing for this process as `config` says. Off (the default), it loads nothing and
 * creates no exporter; on, spans go in batches to `config.url` over OTLP/HTTP (JSON), under `config.serviceName ?? fallbackServiceName`.
 */
export async function startTracing(
  config: TracingConfig,
  fallbackServiceName: string,
  makeExporter: ExporterFactory = otlpExporter,
): Promise<RunningTracing> {
  const url = config.url;
  if (config.exporter === 'none' || url === undefined) return OFF;
  const exporter = await makeExporter(url);
  return install(config.serviceName ?? fallbackServiceName, (sdk) => [new sdk.BatchSpanProcessor(exporter)]);
}

/** Makes the exporter of `startTracing` for the collector's URL (tests count the calls). */
export type ExporterFactory = (url: string) => SpanExporter | Promise<SpanExporter>;

/** OTLP over HTTP with JSON bodies; OTEL_EXPORTER_OTLP_HEADERS and _TIMEOUT are read by the exporter itself. */
const otlpExporter: ExporterFactory = async (url) => {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url });
};

/** Tracing into memory, for tests: every ended span, exported at once. */
export interface TestTracing extends RunningTracing {
  /** The spans ended so far. */
  spans(): ReadableSpan[];
  /** Forgets the spans ended so far. */
  reset(): void;
}

/** Installs tracing with an in-memory exporter (tests); `shutdown()` uninstalls it. */
export async function startTestTracing(serviceName = 'gavel-test'): Promise<TestTracing> {
  let exporter: InMemorySpanExporter | undefined;
  const running = await install(serviceName, (sdk) => {
    exporter = new sdk.InMemorySpanExporter();
    return [new sdk.SimpleSpanProcessor(exporter)];
  });
  const memory = exporter!;
  return {
    ...running,
    spans: () => memory.getFinishedSpans(),
    reset: () => memory.reset(),
  };
}

// ── Spans ──────────────────────────────────────────────────────────────────────────────────────

/** A span that records nothing: what the helpers hand callers while tracing is off. */
const NOT_RECORDING: Span = trace.wrapSpanContext({
  traceId: '0'.repeat(32),
  spanId: '0'.repeat(16),
  traceFlags: 0,
});

export interface SpanOptions {
  /**
   * Attributes at the start (the correlation id among them: `correlationAttrs`). On the bid path,
   * test `tracingEnabled()` first and build none while tracing is off (an object and its closures
   * cost a microsecond or so under tsx, more than the rest of these helpers together).
   */
  attributes?: Attributes;
  kind?: 'server' | 'client' | 'internal' | 'producer' | 'consumer';
  /** The parent: a context captured earlier (`currentContext()`), or `null` for a new trace. Default: the active span. */
  parent?: Context | null;
  /** When the work began (ms since the epoch), if before the call. */
  startTime?: number;
}

const KINDS = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
} as const;

/** `{ 'gavel.correlation_id': id }`, or nothing when there is none. */
export function correlationAttrs(correlationId: string | undefined): Attributes {
  return correlationId === undefined ? {} : { [CORRELATION_ATTR]: correlationId };
}

/**
 * Runs `fn` inside a new span named `name` (active for everything `fn` awaits), and ends it when
 * `fn` settles: a throw marks it an error, unless `expected(err)` says the error is an answer (a
 * refused bid is a 4xx, not a fault). Off, it only calls `fn`.
 */
export function inSpan<T>(
  name: string,
  opts: SpanOptions,
  fn: (span: Span) => Promise<T>,
  expected?: (err: unknown) => boolean,
): Promise<T> {
  if (!enabled) return fn(NOT_RECORDING);
  const parent = opts.parent === null ? ROOT_CONTEXT : (opts.parent ?? context.active());
  const span = trace.getTracer(SCOPE).startSpan(
    name,
    {
      kind: KINDS[opts.kind ?? 'internal'],
      ...(opts.attributes === undefined ? {} : { attributes: opts.attributes }),
      ...(opts.startTime === undefined ? {} : { startTime: opts.startTime }),
      ...(opts.parent === null ? { root: true } : {}),
    },
    parent,
  );
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      if (expected?.(err) !== true) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: err instanceof Error ? err.message : String(err),
        });
        if (err instanceof Error) span.recordException(err);
      } else if (err instanceof Error) span.setAttribute('gavel.refused', err.message);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Records work already done, from `startTime` to `endTime` (ms since the epoch), as a span of a
 * new trace (the ledger writer's per-decision record: the decisions of one batch commit together).
 */
export function recordSpan(
  name: string,
  opts: { attributes: Attributes; kind?: SpanOptions['kind']; startTime: number; endTime: number },
): void {
  if (!enabled) return;
  trace
    .getTracer(SCOPE)
    .startSpan(
      name,
      {
        kind: KINDS[opts.kind ?? 'internal'],
        attributes: opts.attributes,
        startTime: opts.startTime,
        root: true,
      },
      ROOT_CONTEXT,
    )
    .end(opts.endTime);
}

/**
 * The active context, to parent later work on (a queued hub publish); undefined while tracing is
 * off or no span is active, so the bid path keeps nothing.
 */
export function currentContext(): Context | undefined {
  if (!enabled) return undefined;
  const ctx = context.active();
  return trace.getSpan(ctx) === undefined ? undefined : ctx;
}

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * The W3C `traceparent` (and `tracestate`) header lines of the active span, ready to put in a
 * request head (`name: value\r\n` each); '' while tracing is off or no span is active.
 */
export function traceHeaderLines(): string {
  if (!enabled) return '';
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers, headerSetter);
  let lines = '';
  for (const [k, v] of Object.entries(headers)) if (/^[\x20-\x7e]*$/.test(v)) lines += `${k}: ${v}\r\n`;
  return lines;
}

const headerGetter: TextMapGetter<(name: string) => string | undefined> = {
  get: (read, key) => read(key),
  keys: () => ['traceparent', 'tracestate'],
};

/** Runs `fn` with `ctx` as the active context (a request's remote parent), or just runs it. */
export function withContext<T>(ctx: Context | undefined, fn: () => T): T {
  return ctx === undefined ? fn() : context.with(ctx, fn);
}

/**
 * The context a request's `traceparent` header names (read with `header(name)`), to run its
 * handling in; undefined while tracing is off or the request carries none.
 */
export function contextFromHeaders(header: (name: string) => string | undefined): Context | undefined {
  if (!enabled || header('traceparent') === undefined) return undefined;
  return propagation.extract(ROOT_CONTEXT, header, headerGetter);
}
