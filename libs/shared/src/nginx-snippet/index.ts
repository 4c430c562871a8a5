export * from './nginx-tokens';
export { checkNginxSnippet, renderNginxSnippet, NginxSnippetError, type NginxSnippetCheck } from './nginx-snippet';
export { SNIPPET_DIRECTIVES } from './snippet-directives';
