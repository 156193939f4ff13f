import { appendFileSync } from 'node:fs';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ScanCommand,
  UpdateTableCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from './entities.ts';

/**
 * Creates the single table (the CDK stack declares the same keys from TABLE_KEYS), or brings an
 * older local one up to date. `backupFile`: where the items go first if the table has to be rebuilt.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, backupFile?: string): Promise<void> {
  try {
    await createTable(client, tableName);
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await addMissingIndexes(client, tableName, backupFile);
  }
  await waitUntilActive(client, tableName);
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
        ...TABLE_KEYS.globalIndexes.flatMap((index) => [
          { AttributeName: index.partitionKey, AttributeType: 'S' as const },
          { AttributeName: index.sortKey, AttributeType: 'S' as const },
        ]),
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_KEYS.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  );
}

async function missingIndexes(client: DynamoDBClient, tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  return TABLE_KEYS.globalIndexes.filter((index) => !present.has(index.indexName));
}

/**
 * A data directory made by an older yobidashi lacks indexes added since (e.g. gsi2, the open
 * incidents): add them rather than ask the user to throw their data away. DynamoDB adds an index
 * in place; dynalite cannot, so there the table is rebuilt: every item saved to `backupFile`,
 * the table re-created with the current keys, the items written back (ElectroDB's sparse index
 * keys appear on items as they are next written).
 */
async function addMissingIndexes(client: DynamoDBClient, tableName: string, backupFile?: string): Promise<void> {
  const missing = await missingIndexes(client, tableName);
  if (missing.length === 0) return;
  for (const index of missing) {
    await waitUntilActive(client, tableName);
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
              // dynalite insists on it even for on-demand tables; this path only runs locally
              // (on AWS the CDK stack owns the table and its indexes).
              ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
            },
          },
        ],
      }),
    );
  }
  await waitUntilActive(client, tableName);
  if ((await missingIndexes(client, tableName)).length === 0) return;
  await rebuild(client, tableName, backupFile);
}

async function rebuild(client: DynamoDBClient, tableName: string, backupFile?: string): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  if (backupFile) appendFileSync(backupFile, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  for (let i = 0; i < 100; i++) {
    try {
      await createTable(client, tableName);
      break;
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20)); // still being deleted
    }
  }
  await waitUntilActive(client, tableName);
  for (let i = 0; i < items.length; i += 25) {
    let batch: Record<string, AttributeValue>[] = items.slice(i, i + 25);
    for (let tries = 0; batch.length > 0; tries++) {
      if (tries > 50) throw new Error(`table ${tableName}: could not write back ${batch.length} items (kept in ${backupFile ?? 'no backup'})`);
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: batch.map((Item) => ({ PutRequest: { Item } })) } }));
      batch = (result.UnprocessedItems?.[tableName] ?? []).flatMap((r) => (r.PutRequest?.Item ? [r.PutRequest.Item] : []));
    }
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${tableName} did not become active`);
}
