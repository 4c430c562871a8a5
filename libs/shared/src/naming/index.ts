export * from './site-name';
export * from './hostname';
