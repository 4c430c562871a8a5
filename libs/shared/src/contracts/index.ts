export * from './components';
export * from './site-id';
export * from './orchestrator';
export * from './router';
export * from './manager-api';
