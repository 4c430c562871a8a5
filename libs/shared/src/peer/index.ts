export * from './peer-client';
export { readAll, refusalError, safeJson } from './peer-errors';
