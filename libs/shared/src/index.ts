export * from './errors';
export * from './config';
export * from './naming';
export * from './signing';
export * from './contracts';
export * from './http/parse';
export * from './http/signed-client';
