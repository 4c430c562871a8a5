export * from './service-server';
