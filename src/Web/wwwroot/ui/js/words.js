// The words a support agent reads beside the codes the API speaks: one sentence per rejection reason,
// failure category and status, and what a status's finality means under the product rules (docs/rules.md).
import { h } from './dom.js';

const rejectionReasons = {
  malformed: 'The body could not be read in the provider’s documented format.',
  missing_id: 'The report names no message id.',
  bad_time: 'The report’s time could not be read.',
  empty_batch: 'The request carried no report.',
  wrong_content_type: 'The body was sent with a content type this provider never uses.',
  bad_token: 'The secret token in the callback URL was missing or wrong.',
  address_not_allowed: 'The request came from an address outside this account’s allowlist.',
  bad_signature: 'The signature did not match: not signed with this account’s secret, or changed on the way.',
  body_hash_mismatch: 'The body was changed after it was signed.',
  stale_timestamp: 'The signed timestamp was too old or too far in the future (a replayed or delayed request).',
  reused_nonce: 'The signed nonce had been used before (a replayed request).',
  unknown_provider: 'No provider of that name is served here.',
  unknown_account: 'No account of that name is configured for this provider.',
  too_large: 'The body was larger than the configured limit.',
  unsupported_encoding: 'The body was compressed in an encoding the ledger does not read.',
  storage_unavailable: 'The database could not write, so the provider was asked to retry.',
  rate_limited: 'This source sent too many requests too fast.',
};

const categories = {
  delivered: 'The handset has the message.',
  invalid_number: 'The number cannot receive SMS (empty, suspended, cancelled or a landline): do not send again.',
  unreachable: 'The handset was off, out of coverage or busy: worth sending again.',
  blocked: 'Refused because of a blacklist, opt-out, keyword or spam filter: do not send again.',
  rate_limited: 'Refused because too many messages went to this number too fast: send again later.',
  carrier_rejected: 'Refused for a reason on the sending side (route, sender id, template, signature): fix that first.',
  expired: 'Not delivered before the validity period ran out: worth sending again.',
  unknown: 'No documented code says why.',
};

/** A code beside its sentence: `bad_signature — The signature did not match…`. */
export function explained(code, table) {
  if (!code) return '—';
  const sentence = table[code];
  return h('span', { class: 'explained' }, h('span', { class: 'mono code' }, code), sentence ? h('span', { class: 'sentence' }, ` — ${sentence}`) : null);
}

export const reason = (code) => explained(code, rejectionReasons);
export const category = (code) => explained(code, categories);
export const categorySentence = (code) => categories[code] ?? null;

/**
 * What a status's finality means (docs/rules.md, rule 4): `delivered` is final; `failed` stands until a
 * later report replaces it (a delivery, or a later failure); anything else is still waiting.
 */
export function finality(status) {
  switch (status) {
    case 'delivered': return { text: 'final', title: 'Delivered is final: no later report changes it.' };
    case 'failed': return { text: 'failed for now', title: 'A later delivery report (or a later failure) replaces it.' };
    default: return { text: 'not final yet', title: 'Waiting for the provider’s final report.' };
  }
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 21st… */
export function ordinal(n) {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th';
  return `${n}${s}`;
}
