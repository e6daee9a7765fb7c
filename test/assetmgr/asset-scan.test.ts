import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  assetPathIn,
  checkAssetFolders,
  findAssetSource,
  readAssetFile,
  scanAssetFolders,
} from "../../src/assetmgr/asset-scan.ts";
import { assetFolder, SMALL_ASSETS } from "../helpers/asset-folder.ts";

describe("asset scan", () => {
  const data = assetFolder();
  const extra = assetFolder([]);
  after(() => {
    data.close();
    extra.close();
  });

  it("finds the <kind>/<name>.json files and nothing else", async () => {
    data.write("boards/notes.txt", "not an asset");
    data.write("boards/.corne.json.swp", "{}");
    data.write("boards/.hidden.json", "{}");
    data.write("boards/old/corne.json", "{}");
    data.write("fonts/x.json", "{}");
    data.write("top.json", "{}");
    const sources = await scanAssetFolders([data.dir]);
    assert.deepEqual([...sources.keys()].sort(), [...SMALL_ASSETS].sort());
    assert.deepEqual(sources.get("boards/corne.json"), {
      path: "boards/corne.json",
      kind: "boards",
      file: join(data.dir, "boards", "corne.json"),
    });
  });

  it("lists a misnamed asset file, so it can be reported rather than ignored", async () => {
    data.write("layouts/My Layout.json", "{}");
    const sources = await scanAssetFolders([data.dir]);
    assert.ok(sources.has("layouts/My Layout.json"));
    data.remove("layouts/My Layout.json");
  });

  it("lets the extra folder's file win, and falls back when it goes", async () => {
    extra.write("boards/corne.json", "{}");
    extra.write("boards/mine.json", "{}");
    const sources = await scanAssetFolders([data.dir, extra.dir]);
    assert.equal(sources.get("boards/corne.json")?.file, join(extra.dir, "boards", "corne.json"));
    assert.equal(sources.get("boards/mine.json")?.file, join(extra.dir, "boards", "mine.json"));
    assert.equal(
      sources.get("layouts/qwerty.json")?.file,
      join(data.dir, "layouts", "qwerty.json"),
    );
    const folders = [data.dir, extra.dir];
    assert.equal(
      (await findAssetSource(folders, "boards/corne.json"))?.file,
      join(extra.dir, "boards", "corne.json"),
    );
    extra.remove("boards/corne.json");
    assert.equal(
      (await findAssetSource(folders, "boards/corne.json"))?.file,
      join(data.dir, "boards", "corne.json"),
    );
    assert.equal(await findAssetSource(folders, "boards/none.json"), null);
    assert.equal(await findAssetSource(folders, "boards/README.md"), null);
  });

  it("maps a file to its asset path, only inside the folder", () => {
    assert.equal(
      assetPathIn(data.dir, join(data.dir, "boards", "corne.json")),
      "boards/corne.json",
    );
    assert.equal(assetPathIn(data.dir, join(data.dir, "boards", "README.md")), null);
    assert.equal(assetPathIn(data.dir, join(extra.dir, "boards", "corne.json")), null);
  });

  it("reads a file, and says when it vanished", async () => {
    const source = await findAssetSource([data.dir], "weights/balanced.json");
    assert.ok(source);
    assert.ok(((await readAssetFile(source)) ?? new Uint8Array()).byteLength > 100);
    assert.equal(await readAssetFile({ ...source, file: join(data.dir, "gone.json") }), null);
  });

  it("refuses a folder that is not there", async () => {
    await assert.rejects(
      checkAssetFolders([data.dir, join(data.dir, "missing")]),
      (e: unknown) => (e as { code?: string }).code === "ASSET_FOLDER_MISSING",
    );
    await checkAssetFolders([data.dir, extra.dir]);
  });
});
