/**
 * What the call says, per language. `$.Attributes.x` and `$.External.x` are Connect references
 * resolved during the call; `messageSsml` is the alert text, XML-escaped by the call handler.
 */
export const FLOW_LANGUAGES = {
  ja: { code: 'ja-JP', voice: 'Kazuha', engine: 'Neural' },
  en: { code: 'en-US', voice: 'Joanna', engine: 'Neural' },
} as const;
export type FlowLanguage = keyof typeof FLOW_LANGUAGES;

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

export const PROMPTS: Record<FlowLanguage, Prompts> = {
  ja: {
    menuSsml:
      '<speak>こちらは呼び出し、自動障害通知です。<break time="300ms"/>$.Attributes.messageSsml<break time="500ms"/>' +
      '確認した場合は1を、次の担当者に回す場合は3を、静観する場合は9を押してください。</speak>',
    hours: '静観する時間を1から168の数字で入力し、最後にシャープを押してください。12時間の場合は、そのままシャープを押してください。',
    acknowledged: '確認を受け付けました。対応をお願いします。',
    silenced: '$.External.hours時間、静観します。',
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
