export * from './load-config';
export * from './env-fields';
export * from './agent-env';
