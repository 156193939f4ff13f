import type { SoftphoneCall } from './api.ts';
import { Store, store, stored } from './store.ts';

/**
 * The softphone's voice: each new transcript line of a call this page answered is spoken with the
 * browser's speech synthesis, in the line's language (a voice of that language when the browser
 * has one). Browsers without speech synthesis, or without voices, just show the transcript. Muting
 * is remembered; a key press cuts the prompt short (as DTMF barge-in does on Connect).
 */

const synth: SpeechSynthesis | undefined = typeof speechSynthesis === 'undefined' ? undefined : speechSynthesis;
export const canSpeak = synth !== undefined && typeof SpeechSynthesisUtterance !== 'undefined';

export const muted = new Store<boolean>(stored('yobidashi.mute') === '1');
muted.subscribe((value) => {
  store('yobidashi.mute', value ? '1' : '0');
  if (value) synth?.cancel();
});

/** Calls answered here, and how many of their lines have been spoken. */
const spoken = new Map<string, number>();

export function answeredHere(contactId: string): void {
  if (!spoken.has(contactId)) spoken.set(contactId, 0);
}

function voiceFor(language: string): SpeechSynthesisVoice | undefined {
  const voices = synth?.getVoices() ?? [];
  const lower = language.toLowerCase();
  return voices.find((v) => v.lang.toLowerCase() === lower) ?? voices.find((v) => v.lang.toLowerCase().startsWith(lower.split('-')[0] ?? lower));
}

/** Speaks what is new in `call` (if this page answered it); stops when it has ended. */
export function follow(call: SoftphoneCall): void {
  const done = spoken.get(call.contactId);
  if (done === undefined) return;
  if (call.state === 'ended') {
    spoken.delete(call.contactId);
    synth?.cancel();
    return;
  }
  const fresh = call.transcript.slice(done);
  spoken.set(call.contactId, call.transcript.length);
  if (!canSpeak || muted.value) return;
  for (const line of fresh) {
    try {
      const utterance = new SpeechSynthesisUtterance(line.text);
      utterance.lang = line.language || call.language;
      const voice = voiceFor(utterance.lang);
      if (voice) utterance.voice = voice;
      synth?.speak(utterance);
    } catch {
      /* no voice for it: the transcript is on screen */
    }
  }
}

export function bargeIn(): void {
  synth?.cancel();
}
