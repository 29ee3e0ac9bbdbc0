export * from './errors.ts';
export * from './logger.ts';
export * from './config.ts';
export * from './sse.ts';
export * from './mercure.ts';
export * from './redis-script.ts';
export * from './money.ts';
