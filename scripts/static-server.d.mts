import type { Server } from "node:http";
export function serve(dir: string, port?: number): Promise<{ server: Server; port: number }>;
