import { timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Lambda authorizer for the HTTP intake (tools that cannot sign AWS requests, like Nagios or
 * Zabbix): the `x-yobidashi-token` header must equal the secret. Simple responses; the secret is
 * cached for five minutes so rotation takes effect without a deploy.
 */
const client = new SecretsManagerClient({});
let cached: { value: string; at: number } | undefined;
const CACHE_MS = 5 * 60_000;

async function secret(): Promise<string> {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: process.env.TOKEN_SECRET_ARN }));
  if (!SecretString) throw new Error('token secret has no string value');
  cached = { value: SecretString, at: Date.now() };
  return cached.value;
}

export function tokensMatch(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function handler(event: { headers?: Record<string, string | undefined> }): Promise<{ isAuthorized: boolean }> {
  return { isAuthorized: tokensMatch(event.headers?.['x-yobidashi-token'], await secret()) };
}
