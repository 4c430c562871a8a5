export * from './error-codes';
export * from './dais-error';
export * from './error-body';
export * from './zod-error';
