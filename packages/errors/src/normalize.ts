/**
 * The variable parts of an error message, replaced so that one error thrown with 50 different ids
 * makes one group. The order matters: a quoted string may hold a UUID or an e-mail, and a UUID
 * holds hex runs and digits, so the wider shapes go first (as Sentry's message parameterisation
 * does: e-mails, URLs, UUIDs, hashes and hex, dates, then bare numbers).
 */

const QUOTED = /"(?:[^"\\\n]|\\.){0,200}"|'(?:[^'\\\n]|\\.){0,200}'|`(?:[^`\\\n]|\\.){0,200}`/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const EMAIL = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+/g;
const URL_ = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'`<>]{1,500}/gi;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g;
// 0x-prefixed, or a run of 8+ hex characters holding at least one digit (object ids, trace ids,
// hashes); a long word of letters only ("deadbeef" aside) stays a word.
const HEX = /\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi;
// Integers and decimals, also inside words: an id glued to a prefix (`order42`) varies too.
const NUMBER = /[-+]?\d+(?:[.,]\d+)*/g;

/** Messages are cut to this many characters before they are normalised (and stored). */
export const MAX_MESSAGE_LENGTH = 1000;

/**
 * The message with quoted strings, URLs, e-mails, UUIDs, dates, IP addresses, hex ids and numbers
 * replaced by `<str>`, `<url>`, `<email>`, `<uuid>`, `<date>`, `<ip>`, `<hex>` and `<num>`, and
 * runs of white space made one space.
 *
 * @example
 * normalizeMessage('order 42 for "ada@example.com" not found'); // 'order <num> for <str> not found'
 */
export function normalizeMessage(message: string): string {
  return message
    .slice(0, MAX_MESSAGE_LENGTH)
    .replace(QUOTED, '<str>')
    .replace(URL_, '<url>')
    .replace(EMAIL, '<email>')
    .replace(UUID, '<uuid>')
    .replace(ISO_DATE, '<date>')
    .replace(IPV4, '<ip>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<num>')
    .replace(/\s+/g, ' ')
    .trim();
}
