// The virtual module demo/vite.config.ts serves: the URL of the digits exported at build time.
declare module 'virtual:mnist-subset' {
  export const url: string;
}
