import { readFile } from 'node:fs/promises';
import { InvalidEventPatternError, matchesEventPattern, validateEventPattern } from '../../events/pattern/index.ts';
import { ROUTES } from '../../events/routes.ts';
import { rosterSchema } from '../../domain/roster.ts';

const USAGE = `yobidashi — unmanned on-call phone escalation

Usage:
  yobidashi routes [--json]                 the routing table: which handler reacts to which events
  yobidashi test-pattern PATTERN EVENT      does an EventBridge event pattern match an event? (JSON args)
  yobidashi roster check FILE               validate a roster file (JSON)
  yobidashi help
`;

type Out = { log: (line: string) => void; error: (line: string) => void };

export async function main(argv: string[], out: Out = console): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'routes':
      if (rest.includes('--json')) out.log(JSON.stringify(ROUTES, null, 2));
      else for (const r of ROUTES) out.log(`${r.name.padEnd(16)} ${r.sideEffects ? 'side effects ' : 'replay-safe  '} ${JSON.stringify(r.eventPattern)}`);
      return 0;
    case 'test-pattern': {
      const [pattern, event] = rest;
      if (!pattern || !event) return fail(out, 'test-pattern needs PATTERN and EVENT as JSON');
      try {
        const parsedPattern: unknown = JSON.parse(pattern);
        validateEventPattern(parsedPattern);
        const matched = matchesEventPattern(parsedPattern, JSON.parse(event) as Record<string, unknown>);
        out.log(matched ? 'match' : 'no match');
        return matched ? 0 : 1;
      } catch (error) {
        if (error instanceof InvalidEventPatternError || error instanceof SyntaxError) return fail(out, error.message);
        throw error;
      }
    }
    case 'roster': {
      const [sub, file] = rest;
      if (sub !== 'check' || !file) return fail(out, 'usage: yobidashi roster check FILE');
      const result = rosterSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (result.success) {
        out.log(`ok: ${result.data.system}, ${result.data.responders.length} responders, ${result.data.rounds} rounds`);
        return 0;
      }
      for (const issue of result.error.issues) out.error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      return 2;
    }
    case undefined:
    case 'help':
    case '--help':
      out.log(USAGE);
      return 0;
    default:
      return fail(out, `unknown command "${command}"\n\n${USAGE}`);
  }
}

function fail(out: Out, message: string): number {
  out.error(message);
  return 2;
}
