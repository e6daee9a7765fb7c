import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type AssetWatcher, watchAssetFolders } from "../../src/assetmgr/asset-watcher.ts";
import { assetFolder } from "../helpers/asset-folder.ts";
import { eventually } from "../helpers/eventually.ts";

describe("asset watcher", () => {
  const data = assetFolder();
  const extra = assetFolder([]);
  const changes: string[] = [];
  const errors: Error[] = [];
  let watcher: AssetWatcher | undefined;
  after(async () => {
    await watcher?.close();
    data.close();
    extra.close();
  });

  it("reports the asset path of a file added, changed or deleted in any folder", async () => {
    watcher = await watchAssetFolders({
      folders: [data.dir, extra.dir],
      onChange: (path) => changes.push(path),
      onError: (error) => errors.push(error),
      settleMs: 50,
    });
    data.write("boards/corne.json", "{}");
    await eventually("the change", () => changes.includes("boards/corne.json"));
    extra.write("layouts/mine.json", "{}");
    await eventually("the new file", () => changes.includes("layouts/mine.json"));
    data.remove("weights/balanced.json");
    await eventually("the deletion", () => changes.includes("weights/balanced.json"));
    assert.deepEqual(errors, []);
  });

  it("stays quiet about files that are not assets", async () => {
    changes.length = 0;
    data.write("boards/README.md", "notes");
    data.write("boards/.corne.json", "{}");
    data.write("boards/deeper/x.json", "{}");
    // Written last: inotify reports in order and every file settles for the same time, so by
    // the time this one is reported, the writes above would have been too.
    data.write("layouts/qwerty.json", "{}");
    await eventually("the asset change", () => changes.includes("layouts/qwerty.json"));
    assert.deepEqual(changes, ["layouts/qwerty.json"]);
  });
});
