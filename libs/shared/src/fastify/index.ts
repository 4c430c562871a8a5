export * from './service-server';
export * from './linger-on-refusal';
