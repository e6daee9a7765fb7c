import { z } from "zod";
import type { Board, QmkOrigin } from "../board.ts";
import { failWithProblems, KeyForgeError, type Problem } from "../errors.ts";
import { type BoardImportOptions, importedBoard } from "./imported-board.ts";
import { charOfLegend, type PlacedKey } from "./placed-key.ts";

/**
 * Importer for the `layouts` of a QMK `info.json` / `keyboard.json`. Key ids come from the matrix
 * position: "m<row>-<col>" (e.g. "m0-3"); a layout without matrix positions (old info.json files)
 * numbers its keys "k0", "k1", ... in file order.
 */
export type QmkImportOptions = BoardImportOptions & {
  /** Layout to import (a name or an alias); default: the only layout, or the first one. */
  readonly layoutName?: string;
  /**
   * QMK keyboard path (e.g. "crkbd/rev1"), recorded in the board's `qmk` field so that layouts can
   * be exported as QMK keymaps; default: the file's `keyboard` / `keyboard_folder`, else its
   * `keyboard_name` when that is a path.
   */
  readonly keyboard?: string;
};

const IMPORT_QMK_INVALID = "IMPORT_QMK_INVALID";

const fileSchema = z.looseObject({
  keyboard_name: z.string().optional(),
  layouts: z.record(z.string(), z.looseObject({ layout: z.array(z.unknown()) })),
  layout_aliases: z.record(z.string(), z.string()).optional(),
});

const keySchema = z.looseObject({
  matrix: z.tuple([z.number().int().min(0), z.number().int().min(0)]).optional(),
  x: z.number(),
  y: z.number(),
  w: z.number().positive().optional(),
  h: z.number().positive().optional(),
  r: z.number().optional(),
  rx: z.number().optional(),
  ry: z.number().optional(),
  label: z.string().optional(),
});

type QmkKey = z.infer<typeof keySchema>;

function issueProblems(issues: readonly z.core.$ZodIssue[], prefix: string): Problem[] {
  return issues.map((issue) => ({
    code: "QMK_FIELD_INVALID",
    subject: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
  }));
}

/** What a keyboard path looks like: folder names of lower-case letters, digits and `_`. */
const KEYBOARD_PATH = /^[a-z0-9_]+(\/[a-z0-9_]+)*$/;

/**
 * The QMK keyboard path the board is for: the option, else the file's `keyboard` or
 * `keyboard_folder` (in `qmk info` output), else `keyboard_name` when it reads as a path. In a
 * keyboard.json `keyboard_name` is a display name ("Ferris sweep"), which no keymap can name.
 */
function keyboardPath(file: Record<string, unknown>, option: unknown): string | undefined {
  if (option !== undefined) {
    if (typeof option !== "string" || !/^\S+$/.test(option)) {
      failWithProblems("IMPORT_OPTIONS_INVALID", "import options are invalid", [
        {
          code: "IMPORT_OPTION_INVALID",
          subject: "keyboard",
          message: `must be a QMK keyboard path such as "crkbd/rev1" (got ${JSON.stringify(option)})`,
        },
      ]);
    }
    return option;
  }
  for (const field of ["keyboard", "keyboard_folder"]) {
    const value = file[field];
    if (typeof value === "string" && /^\S+$/.test(value)) return value;
  }
  const name = file.keyboard_name;
  return typeof name === "string" && KEYBOARD_PATH.test(name) ? name : undefined;
}

/** Picks the requested layout (following `layout_aliases`), else the only or first one. */
function chooseLayout(
  file: z.infer<typeof fileSchema>,
  requested: string | undefined,
): { name: string; layout: readonly unknown[] } {
  const names = Object.keys(file.layouts);
  if (names.length === 0) {
    throw new KeyForgeError(IMPORT_QMK_INVALID, "QMK file has an empty `layouts` object");
  }
  const name =
    requested === undefined
      ? (names[0] as string)
      : (file.layout_aliases?.[requested] ?? requested);
  const entry = file.layouts[name];
  if (!entry) {
    const aliases = Object.keys(file.layout_aliases ?? {});
    throw new KeyForgeError(
      "IMPORT_QMK_LAYOUT_UNKNOWN",
      `QMK file has no layout "${requested}"; available: ${names.join(", ")}${aliases.length > 0 ? ` (aliases: ${aliases.join(", ")})` : ""}`,
    );
  }
  return { name, layout: entry.layout };
}

function placeQmkKeys(layoutName: string, layout: readonly unknown[]): PlacedKey[] {
  const problems: Problem[] = [];
  const keys: QmkKey[] = [];
  layout.forEach((raw, i) => {
    const parsed = keySchema.safeParse(raw);
    if (parsed.success) keys.push(parsed.data);
    else problems.push(...issueProblems(parsed.error.issues, `layouts.${layoutName}.layout[${i}]`));
  });
  if (problems.length === 0 && keys.length === 0) {
    problems.push({
      code: "QMK_LAYOUT_EMPTY",
      subject: `layouts.${layoutName}.layout`,
      message: "the layout has no keys",
    });
  }
  const withMatrix = keys.filter((k) => k.matrix !== undefined).length;
  if (withMatrix > 0 && withMatrix < keys.length) {
    problems.push({
      code: "QMK_MATRIX_MISSING",
      subject: `layouts.${layoutName}.layout`,
      message: `${keys.length - withMatrix} of ${keys.length} keys have no matrix position`,
    });
  }
  const ids = keys.map((k, i) => (k.matrix ? `m${k.matrix[0]}-${k.matrix[1]}` : `k${i}`));
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) {
      problems.push({
        code: "QMK_MATRIX_DUPLICATE",
        subject: `layouts.${layoutName}.layout[${i}]`,
        message: `matrix position ${id.slice(1)} is used by two keys`,
      });
    }
    seen.add(id);
  });
  if (problems.length > 0) {
    failWithProblems(IMPORT_QMK_INVALID, `QMK layout ${layoutName} is invalid`, problems);
  }
  return keys.map((k, i) => {
    const char = charOfLegend(k.label);
    return {
      id: ids[i] as string,
      x: k.x,
      y: k.y,
      w: k.w ?? 1,
      h: k.h ?? 1,
      r: k.r ?? 0,
      rx: k.rx ?? 0,
      ry: k.ry ?? 0,
      legends: k.label ? [k.label] : [],
      ...(char !== undefined ? { char } : {}),
    };
  });
}

/**
 * Builds a board from one layout of a QMK info.json / keyboard.json (parsed JSON). Throws
 * IMPORT_QMK_INVALID for a malformed file, IMPORT_QMK_LAYOUT_UNKNOWN (listing the layouts) when
 * `layoutName` names none, IMPORT_OPTIONS_INVALID for bad options and BOARD_INVALID when the keys
 * do not make a valid board.
 */
export function importQmkBoard(data: unknown, options: QmkImportOptions): Board {
  if (typeof data === "object" && data !== null && !Array.isArray(data) && !("layouts" in data)) {
    throw new KeyForgeError(
      IMPORT_QMK_INVALID,
      "QMK file has no `layouts` section; expected a keyboard's info.json or keyboard.json",
    );
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const what =
      typeof data === "object" && data !== null && !Array.isArray(data)
        ? "QMK file is invalid"
        : "QMK file must be a JSON object with a `layouts` section";
    failWithProblems(IMPORT_QMK_INVALID, what, issueProblems(parsed.error.issues, ""));
  }
  const { layoutName, keyboard: keyboardOption, ...rest } = options;
  const chosen = chooseLayout(parsed.data, layoutName);
  const keys = placeQmkKeys(chosen.name, chosen.layout);
  const keyboard = parsed.data.keyboard_name;
  const path = keyboardPath(parsed.data, keyboardOption);
  // The board lists its keys row by row; the macro's own order is kept for keymap export.
  const qmk: QmkOrigin | undefined = path
    ? { keyboard: path, layout: chosen.name, keys: keys.map((k) => k.id) }
    : undefined;
  return importedBoard(keys, rest, {
    ...(keyboard ? { name: keyboard } : {}),
    description: `Imported from QMK layout ${chosen.name}${keyboard ? ` of ${keyboard}` : ""} (${keys.length} keys).`,
    source: `QMK keyboard.json, layout ${chosen.name}`,
    ...(qmk ? { qmk } : {}),
  });
}
