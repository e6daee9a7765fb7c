import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BLOB_CONTENT_TYPE, contentTypeOf } from "../../src/assets/asset-content-type.ts";

describe("asset content type", () => {
  it("is JSON for .json assets, text for .txt, bytes for anything else", () => {
    assert.equal(contentTypeOf("boards/corne.json"), "application/json; charset=utf-8");
    assert.equal(contentTypeOf("corpora/EN.JSON"), "application/json; charset=utf-8");
    assert.equal(contentTypeOf("notes/read.txt"), "text/plain; charset=utf-8");
    assert.equal(contentTypeOf("boards/corne.html"), BLOB_CONTENT_TYPE, "never served as a page");
    assert.equal(contentTypeOf("boards/json"), BLOB_CONTENT_TYPE);
    assert.equal(contentTypeOf("boards/.json"), BLOB_CONTENT_TYPE);
    assert.equal(BLOB_CONTENT_TYPE, "application/octet-stream");
  });
});
