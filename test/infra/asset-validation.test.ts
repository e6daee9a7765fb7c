import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { corpusDocument } from "../../src/core/corpus.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { ASSET_KINDS, assetKindOf } from "../../src/infra/asset-path.ts";
import { oneLineReason, validateAsset } from "../../src/infra/asset-validation.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { corpusOf } from "../helpers/corpus.ts";

const corne = readFileSync(join(SYSTEM_DATA_DIR, "boards", "corne.json"));

function failure(run: () => void): KeyForgeError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof KeyForgeError, String(error));
    return error;
  }
  assert.fail("expected a KeyForgeError");
}

describe("asset validation", () => {
  it("accepts every shipped asset with the validator of its kind", () => {
    let count = 0;
    for (const kind of ASSET_KINDS) {
      for (const name of readdirSync(join(SYSTEM_DATA_DIR, kind))) {
        const path = `${kind}/${name}`;
        if (assetKindOf(path) === null) continue;
        validateAsset(kind, path, readFileSync(join(SYSTEM_DATA_DIR, kind, name)));
        count++;
      }
    }
    assert.ok(count >= 30, `${count} assets checked`);
  });

  it("refuses bytes that are not UTF-8 or not JSON", () => {
    assert.equal(
      failure(() => validateAsset("boards", "boards/x.json", Uint8Array.of(0x7b, 0xff, 0x7d))).code,
      "ASSET_NOT_UTF8",
    );
    const notJson = failure(() =>
      validateAsset("boards", "boards/x.json", Buffer.from('{"format": "keyforge-board/1",')),
    );
    assert.equal(notJson.code, "ASSET_NOT_JSON");
    assert.match(notJson.message, /not valid JSON/);
  });

  it("applies the kind's own rules, with every problem listed", () => {
    const board = JSON.parse(corne.toString("utf8"));
    board.keys[0].hand = "up";
    const error = failure(() =>
      validateAsset("boards", "boards/corne.json", Buffer.from(JSON.stringify(board))),
    );
    assert.ok(error.problems.some((p) => p.code === "KEY_HAND_UNKNOWN"));
    // A valid board is not a valid layout: the kind decides the validator.
    assert.throws(() => validateAsset("layouts", "layouts/corne.json", corne), KeyForgeError);
  });

  it("refuses a well-formed corpus too small to score layouts", () => {
    const tiny = Buffer.from(JSON.stringify(corpusDocument(corpusOf("tiny", "Hello there."))));
    const error = failure(() => validateAsset("corpora", "corpora/tiny.json", tiny));
    assert.equal(error.code, "CORPUS_TOO_SMALL");
    assert.match(oneLineReason(error), /12 characters, 11 bigrams; a corpus needs at least 1,000/);
  });

  it("gives a failure as one line with its problems", () => {
    const board = JSON.parse(corne.toString("utf8"));
    board.keys[0].hand = "up";
    const error = failure(() =>
      validateAsset("boards", "boards/corne.json", Buffer.from(JSON.stringify(board))),
    );
    const line = oneLineReason(error);
    assert.doesNotMatch(line, /\n/);
    assert.match(line, /KEY_HAND_UNKNOWN \[r0c0\]/);
  });
});
