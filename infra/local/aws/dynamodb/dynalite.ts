import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';

/**
 * The embedded DynamoDB-compatible store. In memory unless given a directory. Table operations are
 * made instant: the default half-second "CREATING" state only slows tests down.
 */
export async function startDynalite(options: { path?: string; port?: number } = {}): Promise<{
  endpoint: string;
  close: () => Promise<void>;
}> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
