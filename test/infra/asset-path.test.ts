import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  assetIdOf,
  assetKindOf,
  assetNameProblem,
  isSafeAssetPath,
  MAX_ASSET_PATH_LENGTH,
} from "../../src/infra/asset-path.ts";

describe("asset paths", () => {
  it("accepts plain relative paths", () => {
    for (const path of ["boards/corne.json", "corpora/en.json", "a", "x/y_z/v-1.2.txt"]) {
      assert.equal(isSafeAssetPath(path), true, path);
    }
  });

  it("refuses traversal, absolute paths, backslashes, NUL, encoded leftovers and hidden names", () => {
    for (const path of [
      "",
      "..",
      "../etc/passwd",
      "boards/../../etc/passwd",
      "./boards/corne.json",
      "/etc/passwd",
      "boards//corne.json",
      "boards/",
      "boards\\corne.json",
      "..\\..\\windows",
      "boards/corne\0.json",
      "boards/%2e%2e/x",
      "boards/.hidden.json",
      "C:/boot.ini",
      "boards/corne json",
      "boards/\n.json",
      `boards/${"a".repeat(MAX_ASSET_PATH_LENGTH)}.json`,
    ]) {
      assert.equal(isSafeAssetPath(path), false, JSON.stringify(path));
    }
  });

  it("knows which files of a kind folder are assets", () => {
    assert.equal(assetKindOf("boards/corne.json"), "boards");
    assert.equal(assetKindOf("weights/balanced.json"), "weights");
    assert.equal(assetKindOf("boards/README.md"), null);
    assert.equal(assetKindOf("boards/.corne.json"), null, "hidden editor files");
    assert.equal(assetKindOf("boards/old/corne.json"), null, "deeper folders");
    assert.equal(assetKindOf("fonts/x.json"), null, "not a kind");
    assert.equal(assetKindOf("corne.json"), null);
  });

  it("asks an asset's file name to be its id", () => {
    assert.equal(assetNameProblem("boards/corne-3x5.json"), null);
    assert.match(assetNameProblem("boards/Corne.json") ?? "", /file name is the asset id/);
    assert.match(assetNameProblem("boards/my board.json") ?? "", /file name is the asset id/);
    assert.equal(assetIdOf("layouts/colemak-dh.json"), "colemak-dh");
  });
});
