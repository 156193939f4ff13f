/**
 * SSML helpers. Connect substitutes `$.Attributes.x` into SSML verbatim, so any attribute spoken
 * inside SSML must already be XML-escaped: the call handler sends `messageSsml` beside `message`.
 */
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

export function xmlUnescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '');
}

/**
 * What a listener hears: the text of an SSML document without its tags, breaks as pauses dropped.
 * `<say-as>` only says how to read what it wraps, so it joins its text to its neighbours (the
 * number in `<say-as …>12</say-as>時間` is heard as 12時間); every other tag separates.
 */
export function ssmlToText(ssml: string): string {
  return xmlUnescape(ssml.replace(/<\/?say-as\b[^>]*>/g, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Throws when the SSML is not well-formed enough for Polly: unbalanced tags or a bare `&` / `<`. */
export function assertWellFormedSsml(ssml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(ssml); m; m = tag.exec(ssml)) {
    checkText(ssml.slice(last, m.index));
    last = tag.lastIndex;
    const [, closing, name = '', , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) throw new Error(`SSML: unexpected </${name}>`);
    } else stack.push(name);
  }
  checkText(ssml.slice(last));
  if (stack.length) throw new Error(`SSML: <${stack.join('>, <')}> not closed`);
  if (!/^\s*<speak>/.test(ssml)) throw new Error('SSML: must start with <speak>');
}

function checkText(text: string): void {
  if (/<|>/.test(text)) throw new Error(`SSML: bare angle bracket in "${text.slice(0, 40)}"`);
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`SSML: bare ampersand in "${text.slice(0, 40)}"`);
}
