export * from './keys';
export * from './canonical';
export * from './sign';
export * from './verify';
export * from './nonce-cache';
export * from './route-allowlist';
export * from './key-files';
export * from './shell-token';
