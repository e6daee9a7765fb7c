/**
 * The keys of the US (ANSI) layout as keyboard firmware names them. Firmware sends key
 * positions (HID usages), never characters: the host's layout decides what a position types, so
 * every firmware export assumes a US host layout and reads a character's keycode from here.
 */

/** A key of the US layout: what it types without and with Shift, and its keycodes. */
export interface UsKey {
  readonly plain: string;
  readonly shifted: string;
  /** QMK's keycode, and its alias for the key pressed with Shift (KC_SCLN, KC_COLN). */
  readonly qmk: string;
  readonly qmkShifted: string;
  /** ZMK's keycode (keys.h), and its name for the key pressed with Shift (SEMI, COLON). */
  readonly zmk: string;
  readonly zmkShifted: string;
}

/** What firmware sends to type one character: a US key, with or without Shift added. */
export interface UsKeyPress {
  readonly key: UsKey;
  readonly withShift: boolean;
}

/**
 * The punctuation and digit keys: plain and Shift character, then QMK's and ZMK's names for
 * each. ZMK's names are not QMK's without the prefix: ZMK `LBRC` is `{`, QMK `KC_LBRC` is `[`.
 */
const SYMBOL_KEYS: readonly (readonly [string, string, string, string, string, string])[] = [
  ["1", "!", "KC_1", "KC_EXLM", "N1", "EXCL"],
  ["2", "@", "KC_2", "KC_AT", "N2", "AT"],
  ["3", "#", "KC_3", "KC_HASH", "N3", "HASH"],
  ["4", "$", "KC_4", "KC_DLR", "N4", "DLLR"],
  ["5", "%", "KC_5", "KC_PERC", "N5", "PRCNT"],
  ["6", "^", "KC_6", "KC_CIRC", "N6", "CARET"],
  ["7", "&", "KC_7", "KC_AMPR", "N7", "AMPS"],
  ["8", "*", "KC_8", "KC_ASTR", "N8", "ASTRK"],
  ["9", "(", "KC_9", "KC_LPRN", "N9", "LPAR"],
  ["0", ")", "KC_0", "KC_RPRN", "N0", "RPAR"],
  ["-", "_", "KC_MINS", "KC_UNDS", "MINUS", "UNDER"],
  ["=", "+", "KC_EQL", "KC_PLUS", "EQUAL", "PLUS"],
  ["[", "{", "KC_LBRC", "KC_LCBR", "LBKT", "LBRC"],
  ["]", "}", "KC_RBRC", "KC_RCBR", "RBKT", "RBRC"],
  ["\\", "|", "KC_BSLS", "KC_PIPE", "BSLH", "PIPE"],
  [";", ":", "KC_SCLN", "KC_COLN", "SEMI", "COLON"],
  ["'", '"', "KC_QUOT", "KC_DQUO", "SQT", "DQT"],
  ["`", "~", "KC_GRV", "KC_TILD", "GRAVE", "TILDE"],
  [",", "<", "KC_COMM", "KC_LABK", "COMMA", "LT"],
  [".", ">", "KC_DOT", "KC_RABK", "DOT", "GT"],
  ["/", "?", "KC_SLSH", "KC_QUES", "FSLH", "QMARK"],
];

/** Space, Enter and Tab: Shift leaves what they type unchanged. */
const WHITESPACE_KEYS: readonly (readonly [string, string, string])[] = [
  [" ", "KC_SPC", "SPACE"],
  ["\n", "KC_ENT", "ENTER"],
  ["\t", "KC_TAB", "TAB"],
];

function usKeys(): UsKey[] {
  const keys: UsKey[] = SYMBOL_KEYS.map(([plain, shifted, qmk, qmkShifted, zmk, zmkShifted]) => ({
    plain,
    shifted,
    qmk,
    qmkShifted,
    zmk,
    zmkShifted,
  }));
  for (let c = "a".charCodeAt(0); c <= "z".charCodeAt(0); c++) {
    const plain = String.fromCharCode(c);
    const name = plain.toUpperCase();
    keys.push({
      plain,
      shifted: name,
      qmk: `KC_${name}`,
      qmkShifted: `LSFT(KC_${name})`,
      zmk: name,
      zmkShifted: `LS(${name})`,
    });
  }
  for (const [char, qmk, zmk] of WHITESPACE_KEYS) {
    keys.push({ plain: char, shifted: char, qmk, qmkShifted: qmk, zmk, zmkShifted: zmk });
  }
  return keys;
}

function pressTable(): ReadonlyMap<string, UsKeyPress> {
  const table = new Map<string, UsKeyPress>();
  for (const key of usKeys()) {
    table.set(key.plain, { key, withShift: false });
    if (!table.has(key.shifted)) table.set(key.shifted, { key, withShift: true });
  }
  return table;
}

const PRESSES = pressTable();

/** The US key press that types `char`, or undefined when no key of the US layout types it. */
export function usKeyPress(char: string): UsKeyPress | undefined {
  return PRESSES.get(char);
}

/** What the US host types for the press, without Shift held. */
export function typedBy(press: UsKeyPress): string {
  return press.withShift ? press.key.shifted : press.key.plain;
}

/**
 * What the US host types for the press while the user holds Shift: the key's Shift character
 * (a press that adds Shift itself types the same either way).
 */
export function typedWithShiftBy(press: UsKeyPress): string {
  return press.key.shifted;
}

/** QMK's keycode of the press: KC_SCLN, KC_COLN, LSFT(KC_A). */
export function qmkCodeOf(press: UsKeyPress): string {
  return press.withShift ? press.key.qmkShifted : press.key.qmk;
}

/** ZMK's keycode of the press: SEMI, COLON, LS(A). */
export function zmkCodeOf(press: UsKeyPress): string {
  return press.withShift ? press.key.zmkShifted : press.key.zmk;
}
