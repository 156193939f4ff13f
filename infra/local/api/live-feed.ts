import type { Envelope } from '../../../events/envelope.ts';
import type { Logger, Store } from '../../../handlers/ports.ts';
import { incidentSummary } from '../../cli/views.ts';
import type { CallView, ConnectSimulator, SimulatedCall } from '../aws/connect/connect-simulator.ts';

/**
 * What the console's live stream (`GET /api/stream`, softphone-api.ts) carries, published in
 * process: every event the EventBridge core accepts (`event`), the incident it names once its
 * record is written (`incident`), every change of a simulated call (`call`) and the "answer in
 * browser" switch (`softphone`). docs/console.md is the contract.
 *
 * Publishing never waits for a subscriber: each is called synchronously and must only queue (the
 * stream keeps a bounded backlog per client). With nobody subscribed nothing is read or built, so
 * the runtime without a console open does no extra work. The store it reads incidents and contact
 * records from is one that bypasses the port's injected faults (runtime.ts): a console watching
 * must not eat the faults a rehearsal set up for the handlers.
 */

export type LiveEventName = 'event' | 'incident' | 'call' | 'softphone';

export interface LiveMessage {
  event: LiveEventName;
  data: unknown;
}

/** docs/console.md's SoftphoneCall: the simulator's view of a call, with the responder's name. */
export type SoftphoneCall = CallView & { responder: string | undefined };

export type LiveListener = (message: LiveMessage) => void;

export interface LiveFeedDeps {
  store: Pick<Store, 'getIncident' | 'findContact'>;
  simulator: ConnectSimulator;
  log: Logger;
}

export class LiveFeed {
  private readonly listeners = new Set<LiveListener>();
  /** Incident reads under way, one per incident; `again` when another event named it meanwhile. */
  private readonly reading = new Map<string, { again: boolean }>();
  /** Call messages go out in the order the calls changed, each once its responder is known. */
  private calls: Promise<void> = Promise.resolve();
  private readonly responders = new Map<string, string>();

  constructor(private readonly deps: LiveFeedDeps) {
    deps.simulator.onCall((call) => this.callChanged(call));
    deps.simulator.onSoftphone((answerInBrowser) => this.publish({ event: 'softphone', data: { answerInBrowser } }));
  }

  /** Subscribes; returns the unsubscribe. */
  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many subscribers there are (a closed stream must leave none behind). */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** Sends a message to every subscriber, now. */
  publish(message: LiveMessage): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (error) {
        this.deps.log.warn('a live-stream subscriber failed; it is dropped', { error });
        this.listeners.delete(listener);
      }
    }
  }

  /** An event the EventBridge core accepted (`bus`: the bus it was put on). */
  accepted(envelope: Envelope, bus: string): void {
    if (this.listeners.size === 0) return;
    const detail = envelope.detail as { incidentId?: unknown } | null;
    const incidentId = typeof detail?.incidentId === 'string' ? detail.incidentId : undefined;
    this.publish({ event: 'event', data: { time: envelope.time, bus, detailType: envelope['detail-type'], ...(incidentId ? { incidentId } : {}), detail: envelope.detail } });
    if (incidentId) this.readIncident(incidentId);
  }

  /** A call as the console shows it (docs/console.md, SoftphoneCall). */
  async softphoneCall(call: SimulatedCall, view: CallView = this.deps.simulator.view(call)): Promise<SoftphoneCall> {
    const { contactId, incidentId, attempt, inBrowser, ...rest } = view;
    return { contactId, incidentId, attempt, inBrowser, responder: await this.responderOf(call), ...rest };
  }

  /**
   * Reads the incident and sends its summary. One read per incident at a time: an event naming it
   * while a read is under way reads it once more afterwards, so the last summary sent is the latest.
   */
  private readIncident(incidentId: string): void {
    const under = this.reading.get(incidentId);
    if (under) {
      under.again = true;
      return;
    }
    const entry = { again: false };
    this.reading.set(incidentId, entry);
    void (async () => {
      try {
        do {
          entry.again = false;
          if (this.listeners.size === 0) break;
          try {
            const incident = await this.deps.store.getIncident(incidentId);
            if (incident) this.publish({ event: 'incident', data: incidentSummary(incident) });
          } catch (error) {
            this.deps.log.warn('the live stream could not read an incident', { incidentId, error });
          }
        } while (entry.again);
      } finally {
        this.reading.delete(incidentId);
      }
    })();
  }

  /** A call changed: its view is taken now (what it is at this moment), sent once the responder is known. */
  private callChanged(call: SimulatedCall): void {
    if (this.listeners.size === 0) return;
    const view = this.deps.simulator.view(call);
    this.calls = this.calls.then(async () => {
      try {
        this.publish({ event: 'call', data: await this.softphoneCall(call, view) });
      } catch (error) {
        this.deps.log.warn('the live stream could not describe a call', { contactId: call.contactId, error });
      }
    });
  }

  /** The responder's name: the contact record's, or (before place-call has written it) the roster's entry for the number called. */
  private async responderOf(call: SimulatedCall): Promise<string | undefined> {
    const known = this.responders.get(call.contactId);
    if (known !== undefined) return known;
    const record = await this.deps.store.findContact(call.contactId);
    let name = record?.responderName;
    if (name === undefined && call.attributes.incidentId) {
      const incident = await this.deps.store.getIncident(call.attributes.incidentId);
      name = incident?.roster.responders.find((r) => r.phone === call.destination)?.name;
    }
    if (name !== undefined) this.responders.set(call.contactId, name);
    return name;
  }
}
