import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../handlers/lib/logger.ts';
import { journalLine, readJournal, writeAtomically } from '../../infra/local/persistence/data-files.ts';
import { startRuntime } from '../../infra/local/runtime.ts';

/** A torn or garbage data-dir file never stops the runtime: what can be read is kept, the rest is named and skipped. */
describe('data-dir files', () => {
  it('journal lines carry a checksum; a torn line, a damaged line and garbage are skipped and named', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'yobidashi-files-')), 'x.jsonl');
    writeFileSync(file, journalLine({ n: 1 }) + journalLine({ n: 2 }).replace('"n":2', '"n":3') + 'garbage\n' + '{"n":4}\n' + journalLine({ n: 5 }).slice(0, 12));
    const { records, skipped } = readJournal(file);
    expect(records).toEqual([{ n: 1 }, { n: 4 }]); // a plain JSON line from before checksums still reads
    expect(skipped).toEqual(['x.jsonl:2: checksum does not match (damaged); skipped', 'x.jsonl:3: not JSON; skipped', 'x.jsonl:5: checksum does not match (torn by a crash?); skipped']);
    writeAtomically(file, journalLine({ n: 6 }));
    expect(readJournal(file).records).toEqual([{ n: 6 }]);
  });

  it('the runtime starts on a damaged data dir, recovers what it can and says which file and line it skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-damaged-'));
    const first = await startRuntime({ dataDir: dir, port: 0, timeScale: 60, log: jsonLogger({ level: 'error', write: () => undefined }) });
    await fetch(first.url, { method: 'POST', headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ Entries: [{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: '{"systemname":"S","host":"h","service":"s"}' }] }) });
    await new Promise((r) => setTimeout(r, 300));
    const archived = first.emulator.archive.length;
    await first.stop();
    expect(archived).toBeGreaterThan(0);
    appendFileSync(join(dir, 'archive.jsonl'), '{"torn": tr');
    writeFileSync(join(dir, 'deliveries.jsonl'), 'not a journal\n\n{"op":"add"}\n');
    writeFileSync(join(dir, 'clock.json'), 'null');
    const lines: Record<string, unknown>[] = [];
    const second = await startRuntime({ dataDir: dir, port: 0, timeScale: 60, log: jsonLogger({ level: 'warn', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }) });
    try {
      expect(second.emulator.archive).toHaveLength(archived);
      expect((await fetch(`${second.url}/api/health`)).status).toBe(200);
      const reports = lines.filter((l) => typeof l.file === 'string').map((l) => `${String(l.file)}: ${JSON.stringify(l.skipped ?? l.message)}`);
      expect(reports.join('\n')).toMatch(/archive\.jsonl: \["archive\.jsonl:\d+: not JSON; skipped"\]/);
      expect(reports.join('\n')).toMatch(/deliveries\.jsonl: .*deliveries\.jsonl:1: not JSON.*deliveries\.jsonl:3: not a record this file holds/);
      expect(reports.join('\n')).toMatch(/clock\.json: "data file holds something unexpected; starting from the default"/);
      // The damaged journal was compacted to what was owed: it reads cleanly now.
      expect(readJournal(join(dir, 'deliveries.jsonl')).skipped).toEqual([]);
      expect(readFileSync(join(dir, 'clock.json'), 'utf8')).toMatch(/baseScaled/);
    } finally {
      await second.stop();
    }
  });
});
