import type { Board } from "../board.ts";
import type { ErrorCode } from "../error-codes.ts";
import { failWithProblems, type Problem } from "../errors.ts";
import { type Layout, shiftedLayer } from "../layout.ts";
import { checkLayoutFits } from "./layout-fit.ts";
import { typedWithShiftBy, type UsKeyPress, usKeyPress } from "./us-keycodes.ts";

/**
 * What keyboard firmware must send for each key of a layout, on a US host layout: the key's own
 * press, and what Shift types where the host's Shift character of that press is not the
 * layout's (`;` whose Shift gives `?`, not `:`). Firmware replaces Shift on those keys (ZMK
 * mod-morphs, QMK key overrides), holding Shift back from the host while it sends the press.
 */
export interface FirmwareKey {
  readonly char: string;
  readonly press: UsKeyPress;
  /**
   * The press sent instead when Shift is held (null: nothing is typed); undefined when the
   * host's own Shift character of `press` is the layout's.
   */
  readonly shiftPress?: UsKeyPress | null;
  /** The layout's Shift character of the key. */
  readonly shifted: string | null;
}

/** The firmware a layer is exported for, for its refusal. */
export interface FirmwareFormat {
  /** "ZMK", "QMK". */
  readonly name: string;
  readonly unmappedCode: ErrorCode;
}

/** How a character is named in a message: JSON quotes show whitespace and quotes plainly. */
function quoted(char: string): string {
  return JSON.stringify(char);
}

/**
 * The firmware key of every board key (null where the layout leaves it unused). Throws
 * `format.unmappedCode` naming every key and character no US key types (anything beyond ASCII:
 * firmware sends key positions, and a US host has no position for them).
 */
export function firmwareLayer(
  board: Board,
  layout: Layout,
  format: FirmwareFormat,
): (FirmwareKey | null)[] {
  checkLayoutFits(board, layout);
  const shiftedChars = shiftedLayer(layout, board);
  const problems: Problem[] = [];
  const unmapped = new Set<string>();
  const pressOf = (char: string, subject: string): UsKeyPress | undefined => {
    const press = usKeyPress(char);
    if (press === undefined) {
      unmapped.add(quoted(char));
      problems.push({
        code: `${format.name}_KEYCODE_UNKNOWN`,
        subject,
        message: `${quoted(char)} has no ${format.name} keycode: no key of the US layout types it`,
      });
    }
    return press;
  };
  const keys = layout.chars.map((char, i): FirmwareKey | null => {
    if (char === null) return null;
    const id = board.keys[i]?.id ?? `keys[${i}]`;
    const shifted = shiftedChars[i] ?? null;
    const press = pressOf(char, id);
    const shiftPress = shifted === null ? null : pressOf(shifted, `${id} with Shift`);
    if (press === undefined || shiftPress === undefined) return null;
    if (shifted === typedWithShiftBy(press)) return { char, press, shifted };
    return { char, press, shiftPress, shifted };
  });
  if (problems.length > 0) {
    failWithProblems(
      format.unmappedCode,
      `layout ${layout.name} uses characters no ${format.name} keycode types on a US host layout (${[...unmapped].join(" ")})`,
      problems,
    );
  }
  return keys;
}
