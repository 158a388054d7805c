// comlink ships ESM builds without .d.mts twins; point them at its types.
declare module 'comlink/dist/esm/comlink.mjs' {
  export * from 'comlink';
}
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  import type { NodeEndpoint } from 'comlink/dist/umd/node-adapter';
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
