// package.json, imported by src/cli.ts for --version (esbuild inlines it at build time).
declare module "*/package.json" {
  const pkg: { name: string; version: string };
  export default pkg;
}
