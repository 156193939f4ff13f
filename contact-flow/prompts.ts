/**
 * What the call says, per language. `$.Attributes.x` and `$.External.x` are Connect references
 * resolved during the call; `messageSsml` is the alert text, XML-escaped by the call handler.
 * A reference must not run into a word character: Connect would read `$.External.hours時間` as
 * the attribute `hours時間` (contact-flow/validate.ts rejects it). Where the language puts a word
 * right after the number (Japanese 時間, 件), the prompt is SSML and the reference sits alone in a
 * `<say-as interpret-as="cardinal">`, which delimits it and reads it as a number. A prompt that
 * starts with `<speak>` is played as SSML.
 * A merged call (contact attribute `count` above 1: one call for several incidents) says the
 * menu and the confirmations in the plural (`MERGED_PROMPTS`); the hours question is the same.
 */
export const FLOW_LANGUAGES = {
  ja: { code: 'ja-JP', voice: 'Kazuha', engine: 'Neural' },
  en: { code: 'en-US', voice: 'Joanna', engine: 'Neural' },
} as const;
export type FlowLanguage = keyof typeof FLOW_LANGUAGES;

/** A number read as a number, its reference delimited by the tags around it. */
const count = (reference: string) => `<say-as interpret-as="cardinal">${reference}</say-as>`;

export interface Prompts {
  /** The alert and the menu, one prompt, so keys pressed while the alert is read count. */
  menuSsml: string;
  hours: string;
  acknowledged: string;
  silenced: string;
  skipped: string;
  noInput: string;
  notNeeded: string;
  reportFailed: string;
}

/** The plural wording of a merged call: every prompt but the hours question. */
export type MergedPrompts = Omit<Prompts, 'hours'>;

export const PROMPTS: Record<FlowLanguage, Prompts> = {
  ja: {
    menuSsml:
      '<speak>こちらは呼び出し、自動障害通知です。<break time="300ms"/>$.Attributes.messageSsml<break time="500ms"/>' +
      '確認した場合は1を、次の担当者に回す場合は3を、静観する場合は9を押してください。</speak>',
    hours: '静観する時間を1から168の数字で入力し、最後にシャープを押してください。12時間の場合は、そのままシャープを押してください。',
    acknowledged: '確認を受け付けました。対応をお願いします。',
    silenced: `<speak>${count('$.External.hours')}時間、静観します。</speak>`,
    skipped: '次の担当者に連絡します。',
    noInput: '入力が確認できなかったため、次の担当者に連絡します。',
    notNeeded: 'このアラートへの対応は不要になりました。',
    reportFailed: '応答を記録できませんでした。次の担当者に連絡します。',
  },
  en: {
    menuSsml:
      '<speak>This is yobidashi, an automated alert call.<break time="300ms"/>$.Attributes.messageSsml<break time="500ms"/>' +
      'Press 1 to acknowledge, 3 to pass it to the next person, or 9 to silence it.</speak>',
    hours: 'Enter the number of hours to silence, from 1 to 168, then press pound. For 12 hours, just press pound.',
    acknowledged: 'Acknowledged. It is yours. Thank you.',
    silenced: 'Silenced for $.External.hours hours.',
    skipped: 'Calling the next person.',
    noInput: 'No key was pressed. Calling the next person.',
    notNeeded: 'This alert no longer needs you. Goodbye.',
    reportFailed: 'Your answer could not be recorded. The next person will be called.',
  },
};

export const MERGED_PROMPTS: Record<FlowLanguage, MergedPrompts> = {
  ja: {
    menuSsml:
      '<speak>こちらは呼び出し、自動障害通知です。<break time="300ms"/>$.Attributes.messageSsml<break time="500ms"/>' +
      'すべて確認した場合は1を、それぞれ次の担当者に回す場合は3を、すべて静観する場合は9を押してください。</speak>',
    acknowledged: `<speak>${count('$.Attributes.count')}件すべての確認を受け付けました。対応をお願いします。</speak>`,
    silenced: `<speak>${count('$.External.hours')}時間、すべて静観します。</speak>`,
    skipped: 'それぞれ次の担当者に連絡します。',
    noInput: '入力が確認できなかったため、それぞれ次の担当者に連絡します。',
    notNeeded: 'これらのアラートへの対応は不要になりました。',
    reportFailed: '応答を記録できませんでした。それぞれ次の担当者に連絡します。',
  },
  en: {
    menuSsml:
      '<speak>This is yobidashi, an automated alert call.<break time="300ms"/>$.Attributes.messageSsml<break time="500ms"/>' +
      'Press 1 to acknowledge all of them, 3 to pass them to the next person, or 9 to silence them all.</speak>',
    acknowledged: 'Acknowledged, all $.Attributes.count. They are yours. Thank you.',
    silenced: 'Silenced, all of them, for $.External.hours hours.',
    skipped: 'Calling the next person for each of them.',
    noInput: 'No key was pressed. Calling the next person for each of them.',
    notNeeded: 'These alerts no longer need you. Goodbye.',
    reportFailed: 'Your answer could not be recorded. The next person will be called for each of them.',
  },
};
