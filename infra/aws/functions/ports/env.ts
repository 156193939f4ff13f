/**
 * Shared by the per-port builders: reading the function's environment and standing in for a port
 * the function was given no settings for. Kept free of SDK imports so every bundle can carry it.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** A port whose every method rejects: reaching for it is a wiring bug, and it says which port. */
export function unconfigured<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: () => () => Promise.reject(new Error(`${port} is not configured for this function`)),
  });
}
