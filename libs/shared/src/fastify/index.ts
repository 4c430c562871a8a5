export * from './service-server';
export * from './linger-on-refusal';
export * from './correlate-requests';
