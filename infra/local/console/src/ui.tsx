import type { ComponentChildren } from 'preact';
import type { Status } from './api.ts';
import { GLOSS, useI18n } from './i18n.ts';

/**
 * A contract word (docs/console.md, "Accessible names"): shown and named as itself in every
 * language. In Japanese a gloss follows it on screen, hidden from assistive technology (it would
 * change the accessible name); controls carry the gloss as their description (`title`).
 */
export function Contract({ word }: { word: string }) {
  const { lang } = useI18n();
  const gloss = lang === 'ja' ? GLOSS[word] : undefined;
  return (
    <>
      <span lang="en">{word}</span>
      {gloss && (
        <span class="gloss" aria-hidden="true">
          {gloss}
        </span>
      )}
    </>
  );
}

/** The `title` (accessible description) a control labelled by a contract word gets in Japanese. */
export function useGlossTitle(word: string): string | undefined {
  const { lang } = useI18n();
  return lang === 'ja' ? GLOSS[word] : undefined;
}

/** An incident status: the API's word, coloured, with a gloss in Japanese. */
export function StatusBadge({ status }: { status: Status }) {
  return (
    <span class={`status status-${status}`}>
      <Contract word={status} />
    </span>
  );
}

/** A message from the server (or about the request) shown verbatim; an error is announced. */
export function Notice({ kind, children }: { kind: 'error' | 'ok'; children: ComponentChildren }) {
  return kind === 'error' ? (
    <pre class="notice notice-error" role="alert">
      {children}
    </pre>
  ) : (
    <p class="notice notice-ok" role="status">
      {children}
    </p>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <p class="muted">{t('loading')}</p>;
}

/** An API word such as TELECOM_UNANSWERED that may break after its underscores, not inside a word. */
export function Breakable({ text }: { text: string | undefined }) {
  if (!text) return null;
  const parts = text.split('_');
  return (
    <>
      {parts.map((part, i) => (
        <>
          {part}
          {i < parts.length - 1 && (
            <>
              _<wbr />
            </>
          )}
        </>
      ))}
    </>
  );
}
